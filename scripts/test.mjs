// Runs the whole vitest suite and ends with one plain summary line ("Tests: N passed, N failed,
// N skipped") that CI reads; the exit code is vitest's, so a red run stays red.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = 'test-results';
mkdirSync(resultsDir, { recursive: true });
const reportFile = join(resultsDir, 'vitest.json');
const run = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
let summary = 'Tests: no report was written';
try {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  summary = `Tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`;
} catch {
  // vitest crashed before writing its report: the exit code below says so.
}
console.log(summary);
process.exit(run.status ?? 1);
