// A failure shown beside the form that caused it: what it means, then main's own message, with
// the code for whoever reads it out to support.
import type { WardkeepError } from '../../src-preload/contract';
import { Alert } from './Alert';
import { failureSentence, failureTitle } from './authErrors';

export function FailureAlert({ error, testId }: { error: WardkeepError; testId?: string }) {
  const title = failureTitle(error);
  const sentence = failureSentence(error);
  // Main's message often says the meaning already: never say it twice.
  const repeats = comparable(sentence).startsWith(comparable(title));
  return (
    <Alert tone="error" {...(repeats ? {} : { title })} testId={testId}>
      <span data-code={error.code}>{sentence}</span>
      <code>{error.code}</code>
    </Alert>
  );
}

function comparable(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
