// The CSV import as a modal dialog in steps: file, columns, check, import, report. Esc or Cancel
// discards the staged file (except while rows are being written, which cannot be interrupted).
// Invariant: the dialog is the native <dialog> in modal mode, so focus stays inside it and the
// console behind it cannot be used until it closes.
import { useEffect, useRef } from 'react';
import { ChooseFileStep } from './ChooseFileStep';
import { MappingStep } from './MappingStep';
import { PreviewStep } from './PreviewStep';
import { ProgressBar } from './ProgressBar';
import { ReportStep } from './ReportStep';
import { useImportStore } from './importStore';
import type { ImportStep } from './importStore';

const stepTitles: ReadonlyArray<{ steps: readonly ImportStep[]; label: string }> = [
  { steps: ['choose'], label: 'File' },
  { steps: ['mapping'], label: 'Columns' },
  { steps: ['preview'], label: 'Check' },
  { steps: ['committing', 'report'], label: 'Import' },
];

export function ImportDialog() {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const step = useImportStore((state) => state.step);
  const close = useImportStore((state) => state.close);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={dialogRef}
      className="import-dialog"
      aria-labelledby="import-title"
      onCancel={(event) => {
        // Esc: the store decides (it refuses while rows are being written).
        event.preventDefault();
        void close();
      }}
    >
      <header className="import-dialog__header">
        <h2 id="import-title">Import devices from CSV</h2>
        <ol className="steps" aria-label="Import steps">
          {stepTitles.map((entry, position) => {
            const current = entry.steps.includes(step);
            return (
              <li
                key={entry.label}
                className={current ? 'steps__item steps__item--current' : 'steps__item'}
              >
                <span aria-current={current ? 'step' : undefined}>
                  {position + 1}. {entry.label}
                </span>
              </li>
            );
          })}
        </ol>
        <button
          type="button"
          className="button button--icon"
          aria-label="Cancel import"
          title="Cancel (Esc)"
          disabled={step === 'committing'}
          onClick={() => void close()}
        >
          ×
        </button>
      </header>
      <div className="import-dialog__body">
        <StepContent step={step} />
      </div>
    </dialog>
  );
}

function StepContent({ step }: { step: ImportStep }) {
  switch (step) {
    case 'choose':
      return <ChooseFileStep />;
    case 'mapping':
      return <MappingStep />;
    case 'preview':
      return <PreviewStep />;
    case 'committing':
      return (
        <div className="import-step">
          <p>Importing. Keep this window open until the report appears.</p>
          <ProgressBar />
        </div>
      );
    case 'report':
      return <ReportStep />;
  }
}
