// The password rules shown beside a new-password form, each marked met or not as the user types.
// The common-password rule can only be checked by main, so it is shown as a rule, never as met.
import type { ReactNode } from 'react';
import type { PasswordChecks } from '../session/credentialRules';
import { minimumPasswordLength } from '../session/credentialRules';

export function PasswordRules({ checks, id }: { checks: PasswordChecks; id?: string }) {
  return (
    <ul className="rules" id={id} aria-label="Password rules">
      <RuleItem met={checks.longEnough}>At least {minimumPasswordLength} characters</RuleItem>
      <RuleItem met={checks.matches}>Both entries match</RuleItem>
      <RuleItem met={null}>Not a common password (checked when you submit)</RuleItem>
    </ul>
  );
}

function RuleItem({ met, children }: { met: boolean | null; children: ReactNode }) {
  const state = met === null ? 'pending' : met ? 'met' : 'unmet';
  const prefix = met === null ? '•' : met ? '✓' : '✗';
  return (
    <li className={`rules__item rules__item--${state}`}>
      <span className="rules__mark" aria-hidden="true">
        {prefix}
      </span>
      {children}
      {met === null ? null : (
        <span className="visually-hidden">{met ? ' (met)' : ' (not met yet)'}</span>
      )}
    </li>
  );
}
