// IPv4 and IPv6 addresses and CIDR prefixes: strict parsing, one canonical text form (RFC 5952
// for IPv6), and a binary trie that finds the longest matching prefix in at most 32 or 128 steps
// whatever the number of prefixes. A text this module formats always parses back to the same value.

export interface IpAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface Cidr {
  family: 4 | 6;
  /** The network address: every bit after the prefix is zero. */
  bytes: Uint8Array;
  prefixLength: number;
}

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string };

const hextet = /^[0-9a-fA-F]{1,4}$/;

/** Character by character: flow logs repeat this for every address they name. */
function parseIpv4Bytes(text: string): Uint8Array | null {
  const bytes = new Uint8Array(4);
  let octet = 0;
  let value = 0;
  let digits = 0;
  for (let index = 0; index <= text.length; index += 1) {
    const code = index < text.length ? text.charCodeAt(index) : 46; /* a final "." */
    if (code === 46) {
      if (digits === 0 || octet > 3) return null;
      bytes[octet] = value;
      octet += 1;
      value = 0;
      digits = 0;
      continue;
    }
    if (code < 48 || code > 57) return null;
    // A leading zero is refused: some stacks read it as octal, so "010" means 8 to them.
    if (digits === 1 && value === 0) return null;
    value = value * 10 + (code - 48);
    digits += 1;
    if (value > 255) return null;
  }
  return octet === 4 ? bytes : null;
}

function parseIpv6Bytes(text: string): Uint8Array | null {
  if (text.length < 2 || text.length > 45) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups: number[] = [];
  const tail: number[] = [];
  const readGroups = (part: string, into: number[], mayEndWithIpv4: boolean): boolean => {
    if (part === '') return true;
    const pieces = part.split(':');
    for (let index = 0; index < pieces.length; index += 1) {
      const piece = pieces[index]!;
      if (mayEndWithIpv4 && index === pieces.length - 1 && piece.includes('.')) {
        const ipv4 = parseIpv4Bytes(piece);
        if (!ipv4) return false;
        into.push((ipv4[0]! << 8) | ipv4[1]!, (ipv4[2]! << 8) | ipv4[3]!);
        continue;
      }
      if (!hextet.test(piece)) return false;
      into.push(parseInt(piece, 16));
    }
    return true;
  };
  if (halves.length === 1) {
    if (!readGroups(text, groups, true) || groups.length !== 8) return null;
  } else {
    if (!readGroups(halves[0]!, groups, false) || !readGroups(halves[1]!, tail, true)) return null;
    // "::" stands for at least one group of zeros.
    if (groups.length + tail.length > 7) return null;
    while (groups.length + tail.length < 8) groups.push(0);
    groups.push(...tail);
  }
  const bytes = new Uint8Array(16);
  for (let index = 0; index < 8; index += 1) {
    bytes[index * 2] = groups[index]! >> 8;
    bytes[index * 2 + 1] = groups[index]! & 0xff;
  }
  return bytes;
}

/**
 * Parses an IPv4 dotted quad (no leading zeros) or an IPv6 address in any RFC 4291 text form,
 * including a trailing dotted quad; a zone index (`%eth0`) is refused. Null when not an address.
 */
export function parseIpAddress(text: string): IpAddress | null {
  if (text.includes(':')) {
    const bytes = parseIpv6Bytes(text);
    return bytes ? { family: 6, bytes } : null;
  }
  const bytes = parseIpv4Bytes(text);
  return bytes ? { family: 4, bytes } : null;
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let index = 0; index < 10; index += 1) if (bytes[index] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** The address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), else the address itself. */
export function unmapIpv4(address: IpAddress): IpAddress {
  if (address.family === 6 && isIpv4Mapped(address.bytes)) {
    return { family: 4, bytes: address.bytes.slice(12) };
  }
  return address;
}

/** Canonical text: dotted quad, or RFC 5952 (lowercase, no leading zeros, longest zero run as ::). */
export function formatIpAddress(address: IpAddress): string {
  const bytes = address.bytes;
  if (address.family === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (isIpv4Mapped(bytes)) return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  const groups: number[] = [];
  for (let index = 0; index < 8; index += 1) {
    groups.push((bytes[index * 2]! << 8) | bytes[index * 2 + 1]!);
  }
  // RFC 5952 4.2: the longest run of two or more zero groups becomes "::"; the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let index = 0; index < 8;) {
    if (groups[index] !== 0) {
      index += 1;
      continue;
    }
    let end = index;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - index > bestLength) {
      bestStart = index;
      bestLength = end - index;
    }
    index = end;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((group) => group.toString(16))
      .join(':');
  if (bestStart === -1) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** The canonical text of an address, or null when the text is not an address. */
export function canonicalIpAddress(text: string): string | null {
  // A valid dotted quad is already canonical: leading zeros are refused, not rewritten.
  if (!text.includes(':')) return parseIpv4Bytes(text) ? text : null;
  const address = parseIpAddress(text);
  return address ? formatIpAddress(address) : null;
}

function bitLength(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function hasHostBits(bytes: Uint8Array, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < bytes.length * 8; bit += 1) {
    if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) return true;
  }
  return false;
}

/**
 * Parses `address/length`. The prefix length is required, and bits after it must be zero: a
 * host address written as a subnet (10.1.2.3/16) is refused rather than silently widened.
 */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  if (slash === -1) return { ok: false, reason: `"${text}" has no prefix length (/n)` };
  const addressText = text.slice(0, slash);
  const lengthText = text.slice(slash + 1);
  const address = parseIpAddress(addressText);
  if (!address) return { ok: false, reason: `"${addressText}" is not an IPv4 or IPv6 address` };
  const max = bitLength(address.family);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText) || Number(lengthText) > max) {
    return { ok: false, reason: `prefix length "${lengthText}" is not between 0 and ${max}` };
  }
  const prefixLength = Number(lengthText);
  if (hasHostBits(address.bytes, prefixLength)) {
    const network = maskBytes(address.bytes, prefixLength);
    const suggestion = formatCidr({ family: address.family, bytes: network, prefixLength });
    return { ok: false, reason: `"${text}" has host bits set; the network is ${suggestion}` };
  }
  return { ok: true, cidr: { family: address.family, bytes: address.bytes, prefixLength } };
}

function maskBytes(bytes: Uint8Array, prefixLength: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let index = 0; index < bytes.length; index += 1) {
    const bitsHere = Math.max(0, Math.min(8, prefixLength - index * 8));
    out[index] = bytes[index]! & ((0xff << (8 - bitsHere)) & 0xff);
  }
  return out;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpAddress({ family: cidr.family, bytes: cidr.bytes })}/${cidr.prefixLength}`;
}

/** True when `cidr` holds `address` (same family). */
export function cidrContainsAddress(cidr: Cidr, address: IpAddress): boolean {
  if (cidr.family !== address.family) return false;
  const masked = maskBytes(address.bytes, cidr.prefixLength);
  for (let index = 0; index < masked.length; index += 1) {
    if (masked[index] !== cidr.bytes[index]) return false;
  }
  return true;
}

/** Two prefixes overlap exactly when one contains the other. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const shorter = a.prefixLength <= b.prefixLength ? a : b;
  const longer = shorter === a ? b : a;
  return cidrContainsAddress(shorter, { family: longer.family, bytes: longer.bytes });
}

/** The IPv4 netmask of a prefix length, as a dotted quad. */
export function ipv4Netmask(prefixLength: number): string {
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
}

/** The IPv4 wildcard (inverse) mask Cisco ACLs take: 0.0.0.255 for a /24. */
export function ipv4WildcardMask(prefixLength: number): string {
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  const wildcard = ~mask >>> 0;
  return [24, 16, 8, 0].map((shift) => (wildcard >>> shift) & 0xff).join('.');
}

/** The last address of an IPv4 prefix (its broadcast address for prefixes up to /30). */
export function ipv4LastAddress(cidr: Cidr): IpAddress {
  const bytes = cidr.bytes.slice();
  for (let bit = cidr.prefixLength; bit < 32; bit += 1) bytes[bit >> 3]! |= 1 << (7 - (bit & 7));
  return { family: 4, bytes };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let index = 0; index < a.length; index += 1) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Orders prefixes IPv4 first, then by network address, then wider first. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  return a.family - b.family || compareBytes(a.bytes, b.bytes) || a.prefixLength - b.prefixLength;
}

export interface PrefixEntry<T> {
  cidr: Cidr;
  value: T;
}

/**
 * Every pair of overlapping entries, each pair once (containing entry first), in prefix order.
 * A sweep over the sorted prefixes with a stack of the open ones: O(n log n + pairs).
 */
export function findOverlaps<T>(
  entries: readonly PrefixEntry<T>[],
): [PrefixEntry<T>, PrefixEntry<T>][] {
  const sorted = [...entries].sort((a, b) => compareCidrs(a.cidr, b.cidr));
  const open: PrefixEntry<T>[] = [];
  const pairs: [PrefixEntry<T>, PrefixEntry<T>][] = [];
  for (const entry of sorted) {
    while (open.length > 0 && !cidrsOverlap(open[open.length - 1]!.cidr, entry.cidr)) open.pop();
    // Every prefix still open contains this one: they are nested along one path.
    for (const outer of open) pairs.push([outer, entry]);
    open.push(entry);
  }
  return pairs;
}

export interface PrefixMatch<T> {
  value: T;
  cidr: Cidr;
}

export interface PrefixIndex<T> {
  /** The entry with the longest prefix holding the address, or null. IPv4-mapped IPv6 looks up as IPv4. */
  lookup(address: IpAddress): PrefixMatch<T> | null;
  readonly size: number;
}

/** A binary trie per family; one node per distinct prefix bit, values at the nodes that end a prefix. */
class PrefixTrie {
  zero: number[] = [-1];
  one: number[] = [-1];
  entry: number[] = [-1];

  insert(bytes: Uint8Array, prefixLength: number, entryIndex: number): number {
    let node = 0;
    for (let bit = 0; bit < prefixLength; bit += 1) {
      const branch = (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1 ? this.one : this.zero;
      let next = branch[node]!;
      if (next === -1) {
        next = this.zero.length;
        this.zero.push(-1);
        this.one.push(-1);
        this.entry.push(-1);
        branch[node] = next;
      }
      node = next;
    }
    const previous = this.entry[node]!;
    // The first entry for a prefix wins; callers refuse duplicates before they get here.
    if (previous === -1) this.entry[node] = entryIndex;
    return previous;
  }

  find(bytes: Uint8Array, bits: number): number {
    let node = 0;
    let best = this.entry[0]!;
    for (let bit = 0; bit < bits; bit += 1) {
      node = (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1 ? this.one[node]! : this.zero[node]!;
      if (node === -1) break;
      const here = this.entry[node]!;
      if (here !== -1) best = here;
    }
    return best;
  }
}

export function createPrefixIndex<T>(entries: Iterable<PrefixEntry<T>>): PrefixIndex<T> {
  const stored: PrefixEntry<T>[] = [];
  const tries = { 4: new PrefixTrie(), 6: new PrefixTrie() };
  for (const entry of entries) {
    stored.push(entry);
    tries[entry.cidr.family].insert(entry.cidr.bytes, entry.cidr.prefixLength, stored.length - 1);
  }
  return {
    size: stored.length,
    lookup(address) {
      const plain = unmapIpv4(address);
      const index = tries[plain.family].find(plain.bytes, bitLength(plain.family));
      if (index === -1) return null;
      const entry = stored[index]!;
      return { value: entry.value, cidr: entry.cidr };
    },
  };
}

const specialIpv4: Cidr[] = ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4'].map(
  (text) => (parseCidr(text) as { ok: true; cidr: Cidr }).cidr,
);
const specialIpv6: Cidr[] = ['::/127', 'ff00::/8'].map(
  (text) => (parseCidr(text) as { ok: true; cidr: Cidr }).cidr,
);
const privateRanges: Cidr[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
].map((text) => (parseCidr(text) as { ok: true; cidr: Cidr }).cidr);

/** Multicast, broadcast, loopback, unspecified and reserved addresses: never a device. */
export function isNonDeviceAddress(address: IpAddress): boolean {
  const plain = unmapIpv4(address);
  if (plain.family === 4) {
    if (plain.bytes.every((byte) => byte === 255)) return true;
    return specialIpv4.some((cidr) => cidrContainsAddress(cidr, plain));
  }
  return specialIpv6.some((cidr) => cidrContainsAddress(cidr, plain));
}

/** RFC 1918, shared (RFC 6598), link-local and unique-local addresses. */
export function isPrivateAddress(address: IpAddress): boolean {
  const plain = unmapIpv4(address);
  return privateRanges.some((cidr) => cidrContainsAddress(cidr, plain));
}
