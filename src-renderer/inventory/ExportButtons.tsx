// Exports the whole inventory as CSV or FHIR and hands the file to the browser's download.
// Invariant: one export at a time; the buttons are disabled while one is being made.
import { useState } from 'react';
import { call } from '../api/wardkeep';
import { downloadText } from '../api/download';

type ExportFormat = 'csv' | 'fhir';

export function ExportButtons() {
  const [running, setRunning] = useState<ExportFormat | null>(null);

  async function exportAs(format: ExportFormat): Promise<void> {
    if (running !== null) return;
    setRunning(format);
    const result = await call('devices:export', { format });
    setRunning(null);
    if (result.ok) downloadText(result.value.fileName, result.value.mimeType, result.value.content);
  }

  return (
    <div className="button-group" role="group" aria-label="Export inventory">
      <button
        type="button"
        className="button"
        disabled={running !== null}
        onClick={() => void exportAs('csv')}
      >
        {running === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      <button
        type="button"
        className="button"
        disabled={running !== null}
        onClick={() => void exportAs('fhir')}
        title="FHIR R4 Device resources"
      >
        {running === 'fhir' ? 'Exporting…' : 'Export FHIR'}
      </button>
    </div>
  );
}
