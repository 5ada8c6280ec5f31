import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CompactTree,
  ceilLog2,
  consistencyProof,
  emptyTreeHash,
  inclusionProof,
  leafHash,
  merkleTreeHash,
  nodeHash,
  perfectSubtreesOf,
  popCount,
  rangeHash,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// The public Certificate Transparency test vectors, as published in transparency-dev/merkle
// (proof/verify_test.go, from certificate-transparency-go): eight leaves, the root at every
// size, and known inclusion and consistency proofs. Inclusion vectors name leaves 1-based.
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');
const vectorLeaves = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(h);
const vectorRoots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(h);
const vectorInclusion: Array<{ leaf: number; size: number; proof: string[] }> = [
  { leaf: 1, size: 1, proof: [] },
  {
    leaf: 1,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leaf: 6,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    leaf: 3,
    size: 3,
    proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'],
  },
  {
    leaf: 2,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const vectorConsistency: Array<{ size1: number; size2: number; proof: string[] }> = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const sha256EmptyTreeHash = h('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
const someHash = h('abacaba000000000000000000000000000000000000000000060061e00123456');

const vectorLeafHashes = vectorLeaves.map((leaf) => leafHash(leaf));

function flipBit(value: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(value);
  copy[Math.floor(bit / 8) % copy.length]! ^= 1 << (bit % 8);
  return copy;
}

type InclusionProbe = [string, number, number, Buffer, Buffer[], Buffer];

/**
 * The probes transparency-dev/merkle runs against every valid inclusion proof, each as
 * [name, index, size, leaf, proof, root] in verifyInclusion's argument order.
 */
function corruptedInclusions(
  index: number,
  size: number,
  leaf: Buffer,
  proof: Buffer[],
  root: Buffer,
): InclusionProbe[] {
  const probes: InclusionProbe[] = [
    ['index - 1', index - 1, size, leaf, proof, root],
    ['index + 1', index + 1, size, leaf, proof, root],
    ['index ^ 2', index ^ 2, size, leaf, proof, root],
    ['size * 2', index, size * 2, leaf, proof, root],
    ['size / 2', index, Math.floor(size / 2), leaf, proof, root],
    ['wrong leaf', index, size, Buffer.from('WrongLeaf'), proof, root],
    ['empty root', index, size, leaf, proof, sha256EmptyTreeHash],
    ['random root', index, size, leaf, proof, someHash],
    ['trailing garbage', index, size, leaf, [...proof, Buffer.alloc(0)], root],
    ['trailing root', index, size, leaf, [...proof, root], root],
    ['preceding garbage', index, size, leaf, [Buffer.alloc(0), ...proof], root],
    ['preceding root', index, size, leaf, [root, ...proof], root],
  ];
  proof.forEach((_, at) => {
    const changed = proof.map((entry, i) => (i === at ? flipBit(entry, 3) : entry));
    probes.push([`proof[${at}] bit 3`, index, size, leaf, changed, root]);
  });
  if (proof.length > 0) probes.push(['removed', index, size, leaf, proof.slice(0, -1), root]);
  if (proof.length > 1) {
    probes.push(['inserted', index, size, leaf, [proof[0]!, someHash, ...proof.slice(1)], root]);
  }
  return probes;
}

describe('RFC 9162 Merkle tree against the Certificate Transparency vectors', () => {
  it('hashes the empty tree to SHA-256 of nothing', () => {
    expect(emptyTreeHash).toEqual(sha256EmptyTreeHash);
    expect(merkleTreeHash([])).toEqual(sha256EmptyTreeHash);
  });

  it('prefixes leaves with 0x00 and nodes with 0x01', () => {
    const data = Buffer.from('data');
    expect(leafHash(data)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), data]))
        .digest(),
    );
    expect(leafHash('data')).toEqual(leafHash(data));
    expect(nodeHash(vectorLeafHashes[0]!, vectorLeafHashes[1]!)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([1]), vectorLeafHashes[0]!, vectorLeafHashes[1]!]))
        .digest(),
    );
  });

  it('computes the published root at every size from 1 to 8', () => {
    for (let size = 1; size <= 8; size++) {
      expect(merkleTreeHash(vectorLeafHashes.slice(0, size)).toString('hex')).toBe(
        vectorRoots[size - 1]!.toString('hex'),
      );
    }
  });

  it('gives the published root at every size while appending to the compact tree', () => {
    const tree = new CompactTree();
    vectorLeafHashes.forEach((leaf, index) => {
      tree.append(leaf);
      expect(tree.root()).toEqual(vectorRoots[index]);
      expect(tree.subtrees()).toHaveLength(popCount(index + 1));
    });
  });

  it('generates the published inclusion proofs', () => {
    const reader = perfectSubtreesOf(vectorLeafHashes);
    for (const vector of vectorInclusion) {
      const proof = inclusionProof(vector.leaf - 1, vector.size, reader);
      expect(proof.map((entry) => entry.toString('hex'))).toEqual(vector.proof);
    }
  });

  it('verifies the published inclusion proofs and rejects every corrupted probe', () => {
    for (const vector of vectorInclusion.filter((entry) => entry.size > 1)) {
      const index = vector.leaf - 1;
      const root = vectorRoots[vector.size - 1]!;
      const leaf = vectorLeafHashes[index]!;
      const proof = vector.proof.map(h);
      expect(rootFromInclusionProof(index, vector.size, leaf, proof)).toEqual(root);
      expect(verifyInclusion(index, vector.size, leaf, proof, root)).toBe(true);
      for (const [name, ...probe] of corruptedInclusions(index, vector.size, leaf, proof, root)) {
        expect(verifyInclusion(...probe), name).toBe(false);
      }
    }
  });

  it('generates and verifies the published consistency proofs', () => {
    const reader = perfectSubtreesOf(vectorLeafHashes);
    for (const vector of vectorConsistency) {
      const proof = consistencyProof(vector.size1, vector.size2, reader);
      expect(proof.map((entry) => entry.toString('hex'))).toEqual(vector.proof);
      const root1 = vectorRoots[vector.size1 - 1]!;
      const root2 = vectorRoots[vector.size2 - 1]!;
      expect(verifyConsistency(vector.size1, vector.size2, root1, root2, proof)).toBe(true);
    }
  });

  it('rejects corrupted consistency probes like the transparency-dev suite', () => {
    for (const vector of vectorConsistency.filter((entry) => entry.proof.length > 0)) {
      const { size1, size2 } = vector;
      const proof = vector.proof.map(h);
      const root1 = vectorRoots[size1 - 1]!;
      const root2 = vectorRoots[size2 - 1]!;
      const wrongRoot = Buffer.from('WrongRoot');
      const probes: Array<[string, number, number, Buffer, Buffer, Buffer[]]> = [
        ['size1 - 1', size1 - 1, size2, root1, root2, proof],
        ['size1 + 1', size1 + 1, size2, root1, root2, proof],
        ['size1 ^ 2', size1 ^ 2, size2, root1, root2, proof],
        ['size2 * 2', size1, size2 * 2, root1, root2, proof],
        ['size2 / 2', size1, Math.floor(size2 / 2), root1, root2, proof],
        ['wrong root1', size1, size2, wrongRoot, root2, proof],
        ['wrong root2', size1, size2, root1, wrongRoot, proof],
        ['swapped roots', size1, size2, root2, root1, proof],
        ['empty proof', size1, size2, root1, root2, []],
        ['trailing garbage', size1, size2, root1, root2, [...proof, Buffer.alloc(0)]],
        ['trailing root1', size1, size2, root1, root2, [...proof, root1]],
        ['trailing root2', size1, size2, root1, root2, [...proof, root2]],
        ['preceding garbage', size1, size2, root1, root2, [Buffer.alloc(0), ...proof]],
        ['preceding root1', size1, size2, root1, root2, [root1, ...proof]],
        ['preceding root2', size1, size2, root1, root2, [root2, ...proof]],
        ['preceding proof[0]', size1, size2, root1, root2, [proof[0]!, ...proof]],
        ['truncated', size1, size2, root1, root2, proof.slice(0, -1)],
      ];
      proof.forEach((_, at) => {
        const changed = proof.map((entry, i) => (i === at ? flipBit(entry, 4) : entry));
        probes.push([`proof[${at}] bit 4`, size1, size2, root1, root2, changed]);
      });
      for (const [name, ...probe] of probes) expect(verifyConsistency(...probe), name).toBe(false);
    }
  });

  it('treats equal sizes and an empty first tree as the RFC trivial cases', () => {
    const root = vectorRoots[0]!;
    expect(verifyConsistency(0, 0, sha256EmptyTreeHash, sha256EmptyTreeHash, [])).toBe(true);
    expect(verifyConsistency(0, 5, someHash, vectorRoots[4]!, [])).toBe(true);
    expect(verifyConsistency(1, 1, root, root, [])).toBe(true);
    expect(verifyConsistency(1, 1, root, someHash, [])).toBe(false);
    expect(verifyConsistency(1, 1, root, root, [root])).toBe(false);
    expect(verifyConsistency(2, 1, root, root, [])).toBe(false);
    expect(verifyInclusion(0, 1, root, [], root)).toBe(true);
    expect(verifyInclusion(0, 0, root, [], root)).toBe(false);
    expect(verifyInclusion(1, 1, root, [], root)).toBe(false);
  });
});

const leafSets = fc
  .integer({ min: 1, max: 300 })
  .chain((size) =>
    fc.tuple(
      fc.constant(size),
      fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
        minLength: size,
        maxLength: size,
        selector: (bytes) => Buffer.from(bytes).toString('hex'),
      }),
    ),
  )
  .map(([size, leaves]) => ({ size, leaves: leaves.map((bytes) => Buffer.from(bytes)) }));

describe('Merkle proofs for random trees (fast-check)', () => {
  it('verifies every inclusion proof, within ceil(log2 n) hashes, and refuses any change', () => {
    fc.assert(
      fc.property(
        leafSets.chain(({ size, leaves }) =>
          fc.record({
            leaves: fc.constant(leaves),
            size: fc.constant(size),
            index: fc.nat({ max: size - 1 }),
            other: fc.nat({ max: size - 1 }),
            bit: fc.nat({ max: 255 }),
          }),
        ),
        ({ leaves, size, index, other, bit }) => {
          const reader = perfectSubtreesOf(leaves);
          const root = merkleTreeHash(leaves);
          const proof = inclusionProof(index, size, reader);
          expect(proof.length).toBeLessThanOrEqual(ceilLog2(size));
          expect(verifyInclusion(index, size, leaves[index]!, proof, root)).toBe(true);
          if (proof.length > 0) {
            const at = bit % proof.length;
            const flipped = proof.map((entry, i) => (i === at ? flipBit(entry, bit) : entry));
            expect(verifyInclusion(index, size, leaves[index]!, flipped, root)).toBe(false);
          }
          expect(verifyInclusion(index, size, flipBit(leaves[index]!, bit), proof, root)).toBe(
            false,
          );
          expect(verifyInclusion(index, size, leaves[index]!, proof, flipBit(root, bit))).toBe(
            false,
          );
          if (other !== index) {
            expect(verifyInclusion(other, size, leaves[index]!, proof, root)).toBe(false);
          }
          expect(verifyInclusion(index, size * 2, leaves[index]!, proof, root)).toBe(false);
          if (size > 1 && index < Math.floor(size / 2)) {
            expect(verifyInclusion(index, Math.floor(size / 2), leaves[index]!, proof, root)).toBe(
              false,
            );
          }
        },
      ),
      { seed: 9162, numRuns: 300 },
    );
  });

  it('verifies every consistency proof, within ceil(log2 n) + 1 hashes, and refuses any change', () => {
    fc.assert(
      fc.property(
        leafSets
          .filter(({ size }) => size >= 2)
          .chain(({ size, leaves }) =>
            fc.record({
              leaves: fc.constant(leaves),
              size: fc.constant(size),
              from: fc.integer({ min: 1, max: size - 1 }),
              other: fc.integer({ min: 1, max: size - 1 }),
              bit: fc.nat({ max: 255 }),
            }),
          ),
        ({ leaves, size, from, other, bit }) => {
          const reader = perfectSubtreesOf(leaves);
          const root1 = merkleTreeHash(leaves.slice(0, from));
          const root2 = merkleTreeHash(leaves);
          const proof = consistencyProof(from, size, reader);
          expect(proof.length).toBeLessThanOrEqual(ceilLog2(size) + 1);
          expect(verifyConsistency(from, size, root1, root2, proof)).toBe(true);
          const at = bit % proof.length;
          const flipped = proof.map((entry, i) => (i === at ? flipBit(entry, bit) : entry));
          expect(verifyConsistency(from, size, root1, root2, flipped)).toBe(false);
          expect(verifyConsistency(from, size, flipBit(root1, bit), root2, proof)).toBe(false);
          expect(verifyConsistency(from, size, root1, flipBit(root2, bit), proof)).toBe(false);
          expect(verifyConsistency(from, size, root2, root1, proof)).toBe(false);
          if (other !== from) {
            const otherRoot = merkleTreeHash(leaves.slice(0, other));
            expect(verifyConsistency(other, size, otherRoot, root2, proof)).toBe(false);
            expect(verifyConsistency(other, size, root1, root2, proof)).toBe(false);
          }
        },
      ),
      { seed: 6962, numRuns: 300 },
    );
  });

  it('needs ceil(log2 n) + 1 hashes for some consistency proofs, e.g. 3 → 7', () => {
    const leaves = vectorLeafHashes.slice(0, 7);
    const proof = consistencyProof(3, 7, perfectSubtreesOf(leaves));
    expect(proof).toHaveLength(ceilLog2(7) + 1);
    expect(
      verifyConsistency(3, 7, merkleTreeHash(leaves.slice(0, 3)), vectorRoots[6]!, proof),
    ).toBe(true);
  });

  it('keeps O(log n) state: a serialised compact tree resumes with the same roots', () => {
    fc.assert(
      fc.property(leafSets, fc.nat(), ({ leaves }, cut) => {
        const split = cut % (leaves.length + 1);
        const first = new CompactTree();
        leaves.slice(0, split).forEach((leaf) => first.append(leaf));
        expect(first.toBytes().length).toBe(32 * popCount(split));
        const resumed = CompactTree.fromBytes(split, first.toBytes());
        leaves.slice(split).forEach((leaf) => resumed.append(leaf));
        expect(resumed.root()).toEqual(merkleTreeHash(leaves));
        expect(rangeHash(0, leaves.length, perfectSubtreesOf(leaves))).toEqual(resumed.root());
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('reports the perfect subtrees each append completes', () => {
    const tree = new CompactTree();
    const reader = perfectSubtreesOf(vectorLeafHashes);
    const completed = vectorLeafHashes.map((leaf) => tree.append(leaf));
    expect(completed.map((nodes) => nodes.length)).toEqual([0, 1, 0, 2, 0, 1, 0, 3]);
    expect(completed[7]).toEqual([reader(1, 3), reader(2, 1), reader(3, 0)]);
  });

  it('refuses a compact tree whose stack does not fit its size', () => {
    expect(() => CompactTree.fromBytes(3, Buffer.alloc(32))).toThrow(RangeError);
    expect(() => CompactTree.fromBytes(2, Buffer.alloc(33))).toThrow(RangeError);
  });
});
