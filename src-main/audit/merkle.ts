// The Merkle tree of RFC 9162 §2.1 (Certificate Transparency v2, same hashing as RFC 6962):
// leaf SHA-256(0x00 ‖ data), node SHA-256(0x01 ‖ left ‖ right), inclusion and consistency proofs,
// and the compact tree (the roots of the perfect subtrees on the right edge) that a log keeps so
// an append costs O(log n) and the root is known at every size. Pure: no storage, no clock.
import { hash } from 'node:crypto';

export const hashLength = 32;

/** MTH({}) = SHA-256 of the empty string (RFC 9162 §2.1.1). */
export const emptyTreeHash: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

// node:crypto hands back a 'binary' (latin1) string several times faster than a new Buffer, and a
// Buffer of those 32 characters comes from Node's pool: together half the cost of a Buffer digest.
function sha256(input: Uint8Array | string): Buffer {
  return Buffer.from(hash('sha256', input, 'binary'), 'binary');
}

export function leafHash(data: Uint8Array | string): Buffer {
  if (typeof data === 'string') return sha256(`\0${data}`);
  const prefixed = Buffer.allocUnsafe(data.length + 1);
  prefixed[0] = 0;
  prefixed.set(data, 1);
  return sha256(prefixed);
}

// One scratch buffer for every node hash: a node costs one native call and no allocation but the
// digest. Safe because hashing is synchronous and the buffer never escapes.
const nodeInput = Buffer.alloc(1 + 2 * hashLength);
nodeInput[0] = 1;

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + hashLength);
  return sha256(nodeInput);
}

/**
 * The hash of the aligned perfect subtree at `level` (2^level leaves) and `index` (its position
 * among subtrees of that size): level 0 is the leaf hash of leaf `index`.
 */
export type PerfectSubtreeReader = (level: number, index: number) => Uint8Array;

function assertSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

/** Largest power of two strictly less than n (n ≥ 2): the split point k of RFC 9162. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function log2(powerOfTwo: number): number {
  let level = 0;
  while (2 ** level < powerOfTwo) level++;
  return level;
}

function isPowerOfTwo(n: number): boolean {
  let rest = n;
  while (rest > 1 && rest % 2 === 0) rest /= 2;
  return rest === 1;
}

/** ceil(log2 n), 0 for n ≤ 1: the most hashes an inclusion proof in a tree of n leaves holds. */
export function ceilLog2(n: number): number {
  let bits = 0;
  while (2 ** bits < n) bits++;
  return bits;
}

/**
 * MTH(D[start:end]) for a range that RFC 9162's recursion produces: `start` is a multiple of the
 * smallest power of two ≥ end - start, so the range splits greedily into aligned perfect
 * subtrees, largest first, folded from the right.
 */
export function rangeHash(start: number, end: number, perfect: PerfectSubtreeReader): Buffer {
  assertSize('start', start);
  assertSize('end', end);
  if (end <= start) {
    if (end === start && start === 0) return emptyTreeHash;
    throw new RangeError(`empty or inverted range [${start}, ${end})`);
  }
  const pieces: Uint8Array[] = [];
  let position = start;
  let remaining = end - start;
  while (remaining > 0) {
    let size = 1;
    while (size * 2 <= remaining) size *= 2;
    if (position % size !== 0) throw new RangeError(`range [${start}, ${end}) is not aligned`);
    pieces.push(perfect(log2(size), position / size));
    position += size;
    remaining -= size;
  }
  let root: Buffer = Buffer.from(pieces[pieces.length - 1]!);
  for (let i = pieces.length - 2; i >= 0; i--) root = nodeHash(pieces[i]!, root);
  return root;
}

/** MTH over a list of leaf hashes. */
export function merkleTreeHash(leafHashes: readonly Uint8Array[]): Buffer {
  const tree = new CompactTree();
  for (const leaf of leafHashes) tree.append(leaf);
  return tree.root();
}

/** A reader over leaf hashes held in memory, computing (and remembering) perfect subtrees. */
export function perfectSubtreesOf(leafHashes: readonly Uint8Array[]): PerfectSubtreeReader {
  const memo = new Map<string, Uint8Array>();
  const read = (level: number, index: number): Uint8Array => {
    if (level === 0) {
      const leaf = leafHashes[index];
      if (!leaf) throw new RangeError(`no leaf ${index}`);
      return leaf;
    }
    const key = `${level}:${index}`;
    const known = memo.get(key);
    if (known) return known;
    const value = nodeHash(read(level - 1, 2 * index), read(level - 1, 2 * index + 1));
    memo.set(key, value);
    return value;
  };
  return read;
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf `leafIndex` in a tree of `treeSize`. */
export function inclusionProof(
  leafIndex: number,
  treeSize: number,
  perfect: PerfectSubtreeReader,
): Buffer[] {
  assertSize('leafIndex', leafIndex);
  assertSize('treeSize', treeSize);
  if (leafIndex >= treeSize) {
    throw new RangeError(`leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
  }
  const path: Buffer[] = [];
  // Walk down from the root, noting each sibling; the path lists them leaf first.
  let start = 0;
  let end = treeSize;
  let index = leafIndex;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < k) {
      path.push(rangeHash(start + k, end, perfect));
      end = start + k;
    } else {
      path.push(rangeHash(start, start + k, perfect));
      start += k;
      index -= k;
    }
  }
  return path.reverse();
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: proves the tree of `fromSize` is a prefix of `toSize`. */
export function consistencyProof(
  fromSize: number,
  toSize: number,
  perfect: PerfectSubtreeReader,
): Buffer[] {
  assertSize('fromSize', fromSize);
  assertSize('toSize', toSize);
  if (fromSize > toSize) throw new RangeError(`size ${fromSize} is after size ${toSize}`);
  if (fromSize === 0 || fromSize === toSize) return [];
  const proof: Buffer[] = [];
  // SUBPROOF(m, D[start:end], b), unrolled: each step adds one hash after the recursive part,
  // so they are collected in reverse and flipped at the end.
  let m = fromSize;
  let start = 0;
  let end = toSize;
  let wholeSubtree = true;
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!wholeSubtree) proof.push(rangeHash(start, end, perfect));
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      proof.push(rangeHash(start + k, end, perfect));
      end = start + k;
    } else {
      proof.push(rangeHash(start, start + k, perfect));
      start += k;
      m -= k;
      wholeSubtree = false;
    }
  }
  return proof.reverse();
}

function isHash(value: Uint8Array | undefined): value is Uint8Array {
  return value !== undefined && value.length === hashLength;
}

/** The root that an inclusion proof implies (RFC 9162 §2.1.3.2), or null when it cannot hold. */
export function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer | null {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize)) return null;
  if (leafIndex < 0 || leafIndex >= treeSize || !isHash(leaf)) return null;
  // Arithmetic rather than bit operators: sizes may exceed 2^31.
  let fn = leafIndex;
  let sn = treeSize - 1;
  let root: Buffer = Buffer.from(leaf);
  for (const sibling of proof) {
    if (!isHash(sibling) || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      root = nodeHash(sibling, root);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      root = nodeHash(root, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? root : null;
}

export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(leafIndex, treeSize, leaf, proof);
  return computed !== null && isHash(root) && computed.equals(root);
}

/** RFC 9162 §2.1.4.2, with the trivial cases (equal sizes, empty first tree) of RFC 6962. */
export function verifyConsistency(
  fromSize: number,
  toSize: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(fromSize) || !Number.isSafeInteger(toSize)) return false;
  if (fromSize < 0 || toSize < fromSize) return false;
  if (fromSize === toSize) {
    return proof.length === 0 && isHash(fromRoot) && Buffer.from(fromRoot).equals(toRoot);
  }
  if (fromSize === 0) return proof.length === 0;
  if (proof.length === 0 || !isHash(fromRoot) || !isHash(toRoot)) return false;
  if (!proof.every(isHash)) return false;
  const path = [...proof];
  // A first tree that is a perfect subtree is its own first node; the proof leaves it out.
  if (isPowerOfTwo(fromSize)) path.unshift(fromRoot);
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(fromRoot) && sr.equals(toRoot) && sn === 0;
}

/**
 * The compact tree: one hash per set bit of the size, the roots of the perfect subtrees along
 * the right edge, largest first. Appending a leaf merges equal-sized subtrees like a binary
 * counter carries; the nodes it completes are exactly the perfect subtrees that end at this leaf.
 */
export class CompactTree {
  private treeSize: number;
  private readonly stack: Buffer[];

  constructor(size = 0, stack: readonly Uint8Array[] = []) {
    assertSize('size', size);
    if (stack.length !== popCount(size) || !stack.every(isHash)) {
      throw new RangeError(
        `a compact tree of ${size} leaves holds ${popCount(size)} hashes, not ${stack.length}`,
      );
    }
    this.treeSize = size;
    this.stack = stack.map((entry) => Buffer.from(entry));
  }

  get size(): number {
    return this.treeSize;
  }

  /** The right-edge subtree roots, largest (leftmost) first. */
  subtrees(): Buffer[] {
    return this.stack.map((entry) => Buffer.from(entry));
  }

  /** Appends a leaf hash; returns the perfect subtrees it completed, from level 1 upward. */
  append(leaf: Uint8Array): Buffer[] {
    if (!isHash(leaf)) throw new RangeError('a leaf hash is 32 bytes');
    const completed: Buffer[] = [];
    let node: Buffer = Buffer.from(leaf);
    let carry = this.treeSize;
    while (carry % 2 === 1) {
      node = nodeHash(this.stack.pop()!, node);
      completed.push(node);
      carry = Math.floor(carry / 2);
    }
    this.stack.push(node);
    this.treeSize += 1;
    return completed;
  }

  root(): Buffer {
    if (this.stack.length === 0) return emptyTreeHash;
    let root = this.stack[this.stack.length - 1]!;
    for (let i = this.stack.length - 2; i >= 0; i--) root = nodeHash(this.stack[i]!, root);
    return Buffer.from(root);
  }

  /** The stack as bytes (32 per subtree); the size is kept beside it. */
  toBytes(): Buffer {
    return Buffer.concat(this.stack);
  }

  static fromBytes(size: number, bytes: Uint8Array): CompactTree {
    if (bytes.length % hashLength !== 0) {
      throw new RangeError(`compact tree bytes must be a multiple of 32, got ${bytes.length}`);
    }
    const stack: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; offset += hashLength) {
      stack.push(Buffer.from(bytes.subarray(offset, offset + hashLength)));
    }
    return new CompactTree(size, stack);
  }
}

export function popCount(n: number): number {
  let count = 0;
  let rest = n;
  while (rest > 0) {
    count += rest % 2;
    rest = Math.floor(rest / 2);
  }
  return count;
}

/** Trailing zero bits of n ≥ 1: how many perfect subtrees (above the leaf) end at leaf n - 1. */
export function trailingZeros(n: number): number {
  let count = 0;
  let rest = n;
  while (rest > 0 && rest % 2 === 0) {
    count++;
    rest /= 2;
  }
  return count;
}
