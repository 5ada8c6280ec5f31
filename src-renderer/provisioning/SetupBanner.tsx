// Says up front when provisioning cannot succeed yet because the console's PKI is not set up,
// and who must do what, instead of letting a technician find out at the bedside step by step.
import { Alert } from '../shared/Alert';
import type { PkiOverview } from './setup';
import { joinWords, missingSetup } from './setup';

export function SetupBanner({ overview }: { overview: PkiOverview | null }) {
  if (overview === null) return null;
  const missing = missingSetup(overview);
  if (missing.length === 0) return null;
  return (
    <Alert tone="warning" title="Provisioning is not ready yet" testId="pki-setup-banner">
      Devices will be refused until this console is set up: ask an engineer to {joinWords(missing)}{' '}
      (Certificates view).
    </Alert>
  );
}
