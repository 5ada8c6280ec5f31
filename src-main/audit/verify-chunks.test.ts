import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CompactTree, leafHash } from './merkle';
import { checkChunk, inlineChunkChecker, workerChunkChecker } from './verify-chunks';
import type { ChunkChecker, ChunkRequest } from './verify-chunks';

const checkers: ChunkChecker[] = [];
afterEach(() => {
  for (const checker of checkers.splice(0)) checker.close();
});

/** A record shaped like the canonical encoding: details first, its own sequence later. */
function recordText(sequence: number): string {
  const details = sequence % 5 === 0 ? `{"sequence":${sequence + 7},"note":"患者 🩺"}` : '{}';
  return `{"action":"device.update","details":${details},"sequence":${sequence},"time":"2026-11-23T10:00:00.000Z","version":1}`;
}

/** Rows 1..count as append() stores them: record, leaf hash, subtree hashes (null when odd). */
function storedRows(count: number, textOf = recordText) {
  const tree = new CompactTree();
  const rows: Array<{ text: string; leaf: Buffer; subtrees: Buffer | null }> = [];
  for (let sequence = 1; sequence <= count; sequence++) {
    const text = textOf(sequence);
    const leaf = leafHash(text);
    const sibling = sequence % 2 === 0 ? rows[sequence - 2]!.leaf : null;
    const completed = tree.append(leaf);
    rows.push({ text, leaf, subtrees: sibling ? Buffer.concat([sibling, ...completed]) : null });
  }
  return rows;
}

/** The request for rows [first, first + size) of a log, read the way verify() reads a chunk. */
function chunkOf(
  rows: ReturnType<typeof storedRows>,
  first: number,
  size: number,
  levels: number,
  sizes: number[] = [size],
): ChunkRequest {
  const slice = rows.slice(first - 1, first - 1 + size);
  return {
    first,
    rows: size,
    levels,
    texts: Buffer.from(slice.map((row) => row.text).join('\0')),
    leaves: Buffer.concat(slice.map((row) => row.leaf)),
    subtrees: Buffer.concat(slice.flatMap((row) => (row.subtrees ? [row.subtrees] : []))),
    sizes,
  };
}

/** What a compact tree over the chunk's leaves alone holds after `size` of them. */
function expectedStack(rows: ReturnType<typeof storedRows>, first: number, size: number) {
  const tree = new CompactTree();
  for (const row of rows.slice(first - 1, first - 1 + size)) tree.append(row.leaf);
  return tree.subtrees();
}

const rows = storedRows(200);

/** A random aligned chunk of the 200 rows above: its size, first sequence and length. */
const chunks = fc.integer({ min: 1, max: 5 }).chain((levels) =>
  fc.integer({ min: 0, max: Math.floor(199 / 2 ** levels) }).chain((index) =>
    fc.record({
      levels: fc.constant(levels),
      first: fc.constant(index * 2 ** levels + 1),
      size: fc.integer({ min: 1, max: Math.min(2 ** levels, 200 - index * 2 ** levels) }),
    }),
  ),
);

describe('checking a chunk of the audit log', () => {
  it('returns the roots of the perfect subtrees at each requested size of an honest chunk', () => {
    fc.assert(
      fc.property(chunks, ({ levels, first, size }) => {
        const sizes = [...new Set([1, Math.ceil(size / 2), size])];
        const result = checkChunk(chunkOf(rows, first, size, levels, sizes));
        expect(result).toEqual({
          clean: true,
          stacks: sizes.map((at) => expectedStack(rows, first, at)),
        });
      }),
      { seed: 9162, numRuns: 300 },
    );
  });

  it('refuses a chunk with any byte changed, except the subtrees above it left to the caller', () => {
    fc.assert(
      fc.property(
        chunks,
        fc.constantFrom('texts' as const, 'leaves' as const, 'subtrees' as const),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        ({ levels, first, size }, part, at, bit) => {
          const request = chunkOf(rows, first, size, levels);
          const last = first + size - 1;
          // The last row of a full chunk also stores the subtrees that end it above the chunk.
          let zeros = 0;
          for (let rest = last; rest % 2 === 0; rest /= 2) zeros += 1;
          const above = size === 2 ** levels ? Math.max(0, zeros - levels) : 0;
          const length = request[part].length - (part === 'subtrees' ? 32 * above : 0);
          if (length === 0) return;
          request[part][at % length]! ^= 1 << bit;
          expect(checkChunk(request)).toEqual({ clean: false });
        },
      ),
      { seed: 6962, numRuns: 600 },
    );
  });

  it('refuses records renumbered with every hash recomputed to match', () => {
    const renumbered = storedRows(64, (sequence) =>
      recordText(sequence === 40 ? 41 : sequence === 41 ? 40 : sequence),
    );
    expect(checkChunk(chunkOf(renumbered, 1, 32, 5)).clean).toBe(true);
    expect(checkChunk(chunkOf(renumbered, 33, 32, 5))).toEqual({ clean: false });
  });

  it('refuses a chunk whose rows or subtree hashes do not add up', () => {
    const honest = chunkOf(rows, 17, 16, 4);
    expect(checkChunk(honest).clean).toBe(true);
    expect(checkChunk({ ...honest, rows: 15 }).clean).toBe(false);
    expect(checkChunk({ ...honest, levels: 5 }).clean).toBe(false);
    expect(checkChunk({ ...honest, subtrees: honest.subtrees.subarray(32) }).clean).toBe(false);
    expect(
      checkChunk({ ...honest, subtrees: Buffer.concat([honest.subtrees, Buffer.alloc(32)]) }).clean,
    ).toBe(false);
    const extraSeparator = Buffer.concat([honest.texts, Buffer.alloc(1)]);
    expect(checkChunk({ ...honest, texts: extraSeparator }).clean).toBe(false);
  });

  it('gives the same answers on a worker thread, in the order the chunks were submitted', () => {
    const worker = workerChunkChecker();
    expect(worker).not.toBeNull();
    checkers.push(worker!);
    const inline = inlineChunkChecker();
    checkers.push(inline);
    const requests = [chunkOf(rows, 1, 32, 5, [7, 32]), chunkOf(rows, 33, 32, 5)];
    const tampered = chunkOf(rows, 65, 32, 5);
    tampered.leaves[40]! ^= 1;
    requests.push(tampered, chunkOf(rows, 193, 8, 5, [3, 8]));
    for (const request of requests) {
      // The worker takes over buffers that own their memory: it gets copies.
      worker!.submit({
        ...request,
        texts: Buffer.from(request.texts),
        leaves: Buffer.from(request.leaves),
        subtrees: Buffer.from(request.subtrees),
      });
      inline.submit(request);
    }
    const answers = requests.map(() => worker!.take());
    expect(answers).toEqual(requests.map(() => inline.take()));
    expect(answers.map((answer) => answer.clean)).toEqual([true, true, false, true]);
  });
});
