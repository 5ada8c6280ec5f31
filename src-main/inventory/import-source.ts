// Where an import's checked rows come from: a worker thread that reads and checks the file while
// this thread writes the rows before them, or (when no worker can run) this thread itself. Both
// give the same chunks in the same order. next() is synchronous, so that the write can wait for
// the next chunk inside its transaction without letting any other call run on the connection.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type * as Esbuild from 'esbuild';
import type { RowCheckRequest, RowChunk } from './import-rows';
import { checkRowChunks } from './import-rows';

export interface RowSource {
  /** The rows are checked on a worker thread. */
  readonly threaded: boolean;
  /** The next chunk, waiting for it if need be; null after the last one. */
  next(): RowChunk | null;
  /** Stops the worker; the source gives nothing more. */
  close(): void;
}

/** How long next() waits for one chunk from the worker before it gives up (a chunk takes ~0.1 s). */
export const workerSilenceLimitMs = 60_000;

type WorkerMessage = { chunk: RowChunk } | { failure: string };

// The worker's own code: loads the worker module (the built file beside this bundle, or its source
// bundled on the fly where the code runs from TypeScript), then runs one import job per message.
// Each message it posts on the job's port is followed by a bump of the job's counter (slot 0)
// that wakes the writing thread; slot 1 set means the writer wants no more. A module that cannot
// load answers every job with the failure, so the writer falls back instead of waiting.
const bootstrapSource = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
let runImportJob = null;
let loadError = null;
try {
  if (workerData.script) {
    runImportJob = require(workerData.script).runImportJob;
  } else {
    const module = { exports: {} };
    new Function('require', 'module', 'exports', workerData.code)(require, module, module.exports);
    runImportJob = module.exports.runImportJob;
  }
  if (typeof runImportJob !== 'function') throw new Error('the worker module has no runImportJob');
} catch (error) {
  loadError = String((error && error.stack) || error);
}
parentPort.on('message', ({ request, port, signal }) => {
  const post = (message) => {
    port.postMessage(message);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  try {
    if (loadError !== null) post({ failure: loadError });
    else runImportJob(request, post, () => Atomics.load(signal, 1) === 1);
  } catch (error) {
    post({ failure: String((error && error.stack) || error) });
  }
  port.close();
});
`;

/** A started worker; failed once it has exited or reported an error. */
interface PooledWorker {
  worker: Worker;
  module: WorkerModule;
  failed: boolean;
}

// One idle worker is kept (unreferenced, so it never keeps the process alive): booting a worker
// and loading its module takes a few hundred milliseconds, which the next import then saves.
let idleWorker: PooledWorker | null = null;

function spawn(module: WorkerModule): PooledWorker {
  const worker = new Worker(bootstrapSource, { eval: true, workerData: module });
  worker.unref();
  const pooled: PooledWorker = { worker, module, failed: false };
  const fail = (): void => {
    pooled.failed = true;
    if (idleWorker === pooled) idleWorker = null;
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  return pooled;
}

function sameModule(left: WorkerModule, right: WorkerModule): boolean {
  return 'script' in left
    ? 'script' in right && left.script === right.script
    : 'code' in right && left.code === right.code;
}

function acquire(module: WorkerModule): PooledWorker {
  const idle = idleWorker;
  if (idle !== null && !idle.failed && sameModule(idle.module, module)) {
    idleWorker = null;
    return idle;
  }
  return spawn(module);
}

function release(pooled: PooledWorker): void {
  if (!pooled.failed && idleWorker === null) {
    idleWorker = pooled;
    return;
  }
  void pooled.worker.terminate();
}

/**
 * Starts the import worker ahead of need (the service does so when it is created), so that the
 * first import does not wait for it to boot. Does nothing when one is already idle.
 */
export function warmImportWorker(module: WorkerModule | null = workerModule()): void {
  if (module !== null && idleWorker === null) idleWorker = spawn(module);
}

/** Ends the idle worker, if any (tests, and a process about to exit). */
export function stopImportWorker(): Promise<void> {
  const idle = idleWorker;
  idleWorker = null;
  return idle === null ? Promise.resolve() : idle.worker.terminate().then(() => undefined);
}

let bundledWorkerCode: string | null | undefined;

/** How a worker loads import-worker.ts: from a built file, or from bundled source code. */
export type WorkerModule = { script: string } | { code: string };

/** The worker module: the built file (electron-vite's `import-worker` entry), else its bundled source. */
export function workerModule(): WorkerModule | null {
  const directory = typeof __dirname === 'string' ? __dirname : process.cwd();
  const built = join(directory, 'import-worker.js');
  if (existsSync(built)) return { script: built };
  if (bundledWorkerCode === undefined) bundledWorkerCode = bundleWorkerSource(directory);
  return bundledWorkerCode === null ? null : { code: bundledWorkerCode };
}

// Running from TypeScript (tsx, vitest): esbuild, a development dependency, bundles the worker.
function bundleWorkerSource(directory: string): string | null {
  const source = join(directory, 'import-worker.ts');
  if (!existsSync(source)) return null;
  try {
    const esbuild = createRequire(source)('esbuild') as typeof Esbuild;
    const result = esbuild.buildSync({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text ?? null;
  } catch {
    return null;
  }
}

function inThread(request: RowCheckRequest): RowSource {
  const chunks = checkRowChunks(request);
  let finished = false;
  return {
    threaded: false,
    next() {
      if (finished) return null;
      const step = chunks.next();
      if (step.done) {
        finished = true;
        return null;
      }
      if (step.value.done) finished = true;
      return step.value;
    },
    close() {
      finished = true;
      chunks.return();
    },
  };
}

function onWorker(request: RowCheckRequest, module: WorkerModule): RowSource {
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const pooled = acquire(module);
  pooled.worker.postMessage({ request, port: port2, signal }, [port2]);
  let finished = false;

  function receive(): WorkerMessage {
    for (;;) {
      const received = receiveMessageOnPort(port1);
      if (received) return received.message as WorkerMessage;
      const seen = Atomics.load(signal, 0);
      const again = receiveMessageOnPort(port1);
      if (again) return again.message as WorkerMessage;
      if (Atomics.wait(signal, 0, seen, workerSilenceLimitMs) === 'timed-out') {
        pooled.failed = true;
        throw new Error(`the import worker sent nothing for ${workerSilenceLimitMs / 1000} s`);
      }
    }
  }

  function close(): void {
    if (finished) return;
    finished = true;
    Atomics.store(signal, 1, 1);
    port1.close();
    release(pooled);
  }

  return {
    threaded: true,
    next() {
      if (finished) return null;
      let message: WorkerMessage;
      try {
        message = receive();
      } catch (error) {
        close();
        throw error;
      }
      if ('failure' in message) {
        pooled.failed = true;
        close();
        throw new Error(`the import worker failed: ${message.failure}`);
      }
      if (message.chunk.done) close();
      return message.chunk;
    },
    close,
  };
}

/**
 * Whether this thread may block in Atomics.wait (an embedder can forbid it on its main thread, as
 * browsers do): asked once, with a wait that returns at once, before any row depends on it.
 */
function canWaitHere(): boolean {
  if (waitAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      waitAllowed = true;
    } catch {
      waitAllowed = false;
    }
  }
  return waitAllowed;
}

let waitAllowed: boolean | undefined;

/**
 * Opens the rows of `request`, on a worker thread running `module` when there is one (its first
 * chunk is awaited here, so a worker that cannot load falls back to this thread before any row
 * is written), else on this thread.
 */
export function openRowSource(
  request: RowCheckRequest,
  module: WorkerModule | null = workerModule(),
): RowSource {
  if (module === null || !canWaitHere()) return inThread(request);
  let source: RowSource;
  let first: RowChunk | null;
  try {
    source = onWorker(request, module);
    first = source.next();
  } catch {
    return inThread(request);
  }
  let pending: RowChunk | null = first;
  return {
    threaded: true,
    next() {
      if (pending === null) return source.next();
      const chunk = pending;
      pending = null;
      return chunk;
    },
    close: () => source.close(),
  };
}
