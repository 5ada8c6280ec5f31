// The result of one action beside its form: main's failure, or what was done.
import { Alert } from '../shared/Alert';
import { FailureAlert } from '../shared/FailureAlert';
import type { Action } from './useAction';

export function ActionFeedback({ action, testId }: { action: Action; testId: string }) {
  if (action.error) return <FailureAlert error={action.error} testId={`${testId}-error`} />;
  if (action.done) {
    return (
      <Alert tone="success" testId={`${testId}-done`}>
        {action.done}
      </Alert>
    );
  }
  return null;
}
