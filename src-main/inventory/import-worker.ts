// The work of an import's worker thread: checks the file's rows (import-rows.ts) and posts each
// chunk to the thread that writes them, stopping early when that thread no longer wants them.
// import-source.ts loads this module on the worker and calls runImportJob once per import.
import type { RowCheckRequest, RowChunk } from './import-rows';
import { checkRowChunks } from './import-rows';

export function runImportJob(
  request: RowCheckRequest,
  post: (message: { chunk: RowChunk }) => void,
  cancelled: () => boolean,
): void {
  for (const chunk of checkRowChunks(request)) {
    if (cancelled()) return;
    post({ chunk });
  }
}
