// The inner loop of AuditLog.verify(): checks a chunk of records (leaf hashes, embedded sequences,
// stored subtree hashes against the tree recomputed inside it) here or on a worker thread. It says
// "clean" only when every byte matches, and then returns the subtree roots the caller folds in.
import { hash } from 'node:crypto';
import { compileFunction } from 'node:vm';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

export interface ChunkRequest {
  /** Sequence of the first record; `first - 1` is a multiple of 2^levels. */
  first: number;
  /** Records in the chunk, 1..2^levels, with no gap. */
  rows: number;
  /** log2 of the chunk size (≥ 1): the highest level of a perfect subtree inside a chunk. */
  levels: number;
  /** The records' bytes, each after the first preceded by 0x00 (which no record holds raw). */
  texts: Buffer;
  /** The stored leaf hashes, 32 bytes each. */
  leaves: Buffer;
  /** The stored subtree hashes of every row, concatenated. */
  subtrees: Buffer;
  /** Sizes inside the chunk (1..rows) whose right-edge subtree roots the caller needs. */
  sizes: number[];
}

export type ChunkResult =
  | { clean: false }
  /** For each requested size, the roots of the perfect subtrees covering the chunk up to it. */
  | { clean: true; stacks: Buffer[][] };

export interface ChunkChecker {
  /** Runs on a worker thread, so the caller can read the next chunk meanwhile. */
  readonly threaded: boolean;
  /** Queues a chunk. A worker takes over each buffer that owns its memory (detaching it). */
  submit(request: ChunkRequest): void;
  /** The result of the oldest chunk submitted and not yet taken; blocks until it is known. */
  take(): ChunkResult;
  close(): void;
}

interface KernelResult {
  clean: boolean;
  stacks?: string[];
}
type Kernel = (request: ChunkRequest) => KernelResult;

// Plain JavaScript, because the same text runs on a worker thread: a worker started from source
// needs no separate bundle entry, loader or build step in Electron, the CLI, tsx or vitest.
// Digests travel as latin1 strings: node:crypto returns a string several times faster than a new
// Buffer, and a hash call is most of the cost here.
const kernelSource = String.raw`
'use strict';
const hashLength = 32;
const sequenceKey = Buffer.from('"sequence":');
const nodeInput = Buffer.alloc(1 + 2 * hashLength);
nodeInput[0] = 1;

function nodeHash(left, right) {
  for (let byte = 0; byte < hashLength; byte++) {
    nodeInput[1 + byte] = left.charCodeAt(byte);
    nodeInput[1 + hashLength + byte] = right.charCodeAt(byte);
  }
  return hash('sha256', nodeInput, 'latin1');
}

function trailingZeros(value) {
  let count = 0;
  while (value > 0 && value % 2 === 0) {
    value /= 2;
    count += 1;
  }
  return count;
}

return function checkChunk(request) {
  const { first, rows, levels, texts, leaves, subtrees, sizes } = request;
  const dirty = { clean: false };
  if (!(rows >= 1 && rows <= 2 ** levels) || (first - 1) % 2 ** levels !== 0) return dirty;
  if (leaves.length !== rows * hashLength) return dirty;
  const tree = [new Array(rows)];
  // Digests are joined and compared with the stored bytes once per chunk: one comparison of two
  // flat strings costs less than thousands of small ones.
  let computedLeaves = '';
  const bytes = texts.buffer;
  // The separator before a record is its leaf's 0x00 prefix; the first record has none.
  let start = -1;
  for (let row = 0; row < rows; row++) {
    const end = row === rows - 1 ? texts.length : texts.indexOf(0, start + 1);
    if (end - sequenceKey.length <= start) return dirty;
    const input =
      start < 0
        ? Buffer.concat([Buffer.alloc(1), texts.subarray(0, end)])
        : new Uint8Array(bytes, texts.byteOffset + start, end - start);
    const leaf = hash('sha256', input, 'latin1');
    computedLeaves += leaf;
    // The last "sequence": key is the record's own: later keys hold strings and numbers only.
    const at = texts.lastIndexOf(sequenceKey, end - sequenceKey.length);
    if (at <= start) return dirty;
    let position = at + sequenceKey.length;
    let value = 0;
    while (position < end && texts[position] >= 0x30 && texts[position] <= 0x39) {
      value = value * 10 + texts[position] - 0x30;
      position += 1;
    }
    if (position === at + sequenceKey.length || value !== first + row) return dirty;
    tree[0][row] = leaf;
    start = end;
  }
  if (computedLeaves !== leaves.toString('latin1')) return dirty;
  for (let level = 1; level <= levels; level++) {
    const below = tree[level - 1];
    const count = Math.floor(below.length / 2);
    if (count === 0) break;
    const nodes = new Array(count);
    for (let index = 0; index < count; index++) {
      nodes[index] = nodeHash(below[2 * index], below[2 * index + 1]);
    }
    tree.push(nodes);
  }
  // An even sequence stores its left sibling's leaf, then the subtrees it completes, level 1 up;
  // those above the chunk (on its last row only) are the caller's to check.
  let expected = '';
  let aboveChunk = 0;
  for (let row = 1; row < rows; row += 2) {
    const zeros = trailingZeros(first + row);
    expected += tree[0][row - 1];
    const inside = Math.min(zeros, levels);
    for (let level = 1; level <= inside; level++) expected += tree[level][(row + 1) / 2 ** level - 1];
    aboveChunk = zeros - inside;
  }
  const stored = subtrees.toString('latin1');
  const checked = stored.length - hashLength * aboveChunk;
  if (checked !== expected.length || stored.slice(0, checked) !== expected) return dirty;
  const stacks = sizes.map((size) => {
    let stack = '';
    let position = 0;
    for (let level = tree.length - 1; level >= 0; level--) {
      const width = 2 ** level;
      if (size - position >= width) {
        stack += tree[level][position / width];
        position += width;
      }
    }
    return stack;
  });
  return { clean: true, stacks };
};
`;

// Replies are counted in shared memory so the verifying thread can sleep until one is posted;
// slot 1 says the worker has gone.
const workerSource = String.raw`
'use strict';
const { workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const { port, signal } = workerData;
const flags = new Int32Array(signal);
process.on('exit', () => {
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 0);
});
const checkChunk = (function (hash, Buffer) {
${kernelSource}
})(hash, Buffer);
const asBuffer = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
port.on('message', (request) => {
  let result;
  try {
    result = checkChunk({
      ...request,
      texts: asBuffer(request.texts),
      leaves: asBuffer(request.leaves),
      subtrees: asBuffer(request.subtrees),
    });
  } catch {
    result = { clean: false };
  }
  port.postMessage(result);
  Atomics.add(flags, 0, 1);
  Atomics.notify(flags, 0);
});
`;

let inlineKernel: Kernel | null = null;

function kernel(): Kernel {
  inlineKernel ??= (
    compileFunction(kernelSource, ['hash', 'Buffer']) as unknown as (
      digest: typeof hash,
      buffer: typeof Buffer,
    ) => Kernel
  )(hash, Buffer);
  return inlineKernel;
}

const hashLength = 32;

function toResult(result: KernelResult): ChunkResult {
  if (!result.clean || !result.stacks) return { clean: false };
  return {
    clean: true,
    stacks: result.stacks.map((text) => {
      const bytes = Buffer.from(text, 'latin1');
      const hashes: Buffer[] = [];
      for (let offset = 0; offset < bytes.length; offset += hashLength) {
        hashes.push(bytes.subarray(offset, offset + hashLength));
      }
      return hashes;
    }),
  };
}

/** Checks one chunk in this thread. */
export function checkChunk(request: ChunkRequest): ChunkResult {
  return toResult(kernel()(request));
}

/** A checker that works in this thread, when each chunk is taken. */
export function inlineChunkChecker(): ChunkChecker {
  const queue: ChunkRequest[] = [];
  return {
    threaded: false,
    submit: (request) => queue.push(request),
    take() {
      const request = queue.shift();
      if (!request) throw new Error('no chunk was submitted');
      return checkChunk(request);
    },
    close: () => {
      queue.length = 0;
    },
  };
}

let threadMayBlock: boolean | null = null;

/** Whether this thread may sleep in Atomics.wait (an embedder can forbid it on its main thread). */
function mayBlock(): boolean {
  if (threadMayBlock === null) {
    try {
      // A value that differs returns at once where waiting is allowed, and throws where not.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      threadMayBlock = true;
    } catch {
      threadMayBlock = false;
    }
  }
  return threadMayBlock;
}

/**
 * A checker on a worker thread, or null when one cannot start or this thread cannot wait for it.
 * take() blocks on shared memory (verify() is synchronous); if the worker dies or stays silent for
 * `timeoutMs`, every chunk not yet answered comes back not clean, which only sends it down the
 * row-by-row path.
 */
export function workerChunkChecker(timeoutMs = 60_000): ChunkChecker | null {
  if (!mayBlock()) return null;
  const flags = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const channel = new MessageChannel();
  let worker: Worker;
  try {
    worker = new Worker(workerSource, {
      eval: true,
      workerData: { port: channel.port2, signal: flags.buffer },
      transferList: [channel.port2],
    });
  } catch {
    channel.port1.close();
    return null;
  }
  // Its failures surface as silence or the exit flag; the event must not crash the process.
  worker.on('error', () => undefined);
  worker.unref();
  let submitted = 0;
  let taken = 0;
  let broken = false;
  return {
    threaded: true,
    submit(request) {
      submitted += 1;
      if (broken) return;
      const { texts, leaves, subtrees } = request;
      // Buffers go over without a copy when they own their memory: the caller keeps what it
      // needs, and a chunk that is not clean is read again from the database.
      const transfer = new Set<ArrayBuffer>();
      for (const bytes of [texts, leaves, subtrees]) {
        if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength) {
          transfer.add(bytes.buffer as ArrayBuffer);
        }
      }
      const message = {
        first: request.first,
        rows: request.rows,
        levels: request.levels,
        sizes: request.sizes,
        texts,
        leaves,
        subtrees,
      };
      channel.port1.postMessage(message, [...transfer]);
    },
    take() {
      if (taken >= submitted) throw new Error('no chunk was submitted');
      taken += 1;
      const deadline = performance.now() + timeoutMs;
      let counted = 0;
      while (!broken) {
        const received = receiveMessageOnPort(channel.port1);
        if (received) return toResult(received.message as KernelResult);
        if (Atomics.load(flags, 1) === 1) break;
        const left = deadline - performance.now();
        if (left <= 0) break;
        const posted = Atomics.load(flags, 0);
        // A reply is counted only after it is queued, so once the count reaches ours it is there
        // to receive (a reply counted but missing means the channel is broken); until then, sleep.
        if (posted < taken) Atomics.wait(flags, 0, posted, left);
        else if (++counted > 1000) break;
      }
      broken = true;
      return { clean: false };
    },
    close() {
      broken = true;
      channel.port1.close();
      void worker.terminate();
    },
  };
}
