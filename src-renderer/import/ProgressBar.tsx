// The import's progress, driven by main's `imports:progress` events: the phase in words and a
// bar of rows done over rows in total. Before the first event it shows an indeterminate bar.
import type { ImportProgress } from '../../src-preload/contract';
import { formatCount, percentOf } from '../shared/format';
import { useImportStore } from './importStore';

const phaseLabels: Readonly<Record<ImportProgress['phase'], string>> = {
  parsing: 'Reading the file',
  validating: 'Checking rows',
  writing: 'Writing devices',
  done: 'Done',
};

export function ProgressBar() {
  const progress = useImportStore((state) => state.progress);
  const label = progress ? phaseLabels[progress.phase] : 'Starting';
  const percent = progress
    ? progress.phase === 'done'
      ? 100
      : percentOf(progress.done, progress.total)
    : null;
  return (
    <div
      className="progress"
      data-testid="import-progress"
      data-phase={progress?.phase ?? 'waiting'}
    >
      <div className="progress__label">
        <span>{label}</span>
        {progress && progress.total > 0 ? (
          <span className="progress__count">
            {formatCount(progress.done)} / {formatCount(progress.total)}
          </span>
        ) : null}
      </div>
      <progress
        className="progress__bar"
        max={100}
        value={percent ?? undefined}
        aria-label={`Import progress: ${label}`}
      />
    </div>
  );
}
