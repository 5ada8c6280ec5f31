import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cidr } from './addresses';
import {
  canonicalIpAddress,
  cidrContainsAddress,
  createPrefixIndex,
  findOverlaps,
  formatCidr,
  formatIpAddress,
  ipv4LastAddress,
  ipv4WildcardMask,
  isNonDeviceAddress,
  isPrivateAddress,
  parseCidr,
  parseIpAddress,
} from './addresses';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.cidr;
}

function address(text: string) {
  const parsed = parseIpAddress(text);
  if (!parsed) throw new Error(`not an address: ${text}`);
  return parsed;
}

describe('addresses', () => {
  it('writes IPv6 in the RFC 5952 canonical form', () => {
    expect(canonicalIpAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIpAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIpAddress('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalIpAddress('::')).toBe('::');
    expect(canonicalIpAddress('::1')).toBe('::1');
    expect(canonicalIpAddress('fe80::')).toBe('fe80::');
    expect(canonicalIpAddress('::ffff:10.1.2.3')).toBe('::ffff:10.1.2.3');
    expect(canonicalIpAddress('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
  });

  it('refuses what is not an address, including octal-looking IPv4 and zone indexes', () => {
    for (const text of [
      '',
      '10.1.2',
      '10.1.2.3.4',
      '10.01.2.3',
      '256.1.1.1',
      '1.2.3.-1',
      ' 10.1.2.3',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      'fe80::1%eth0',
      '12345::',
      'g::1',
      '::10.1.2',
    ]) {
      expect(parseIpAddress(text), text).toBeNull();
    }
  });

  it('reads back every address it writes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const first = canonicalIpAddress(text);
        expect(first).not.toBeNull();
        expect(canonicalIpAddress(first!)).toBe(first);
        expect(parseIpAddress(first!)!.bytes).toEqual(parseIpAddress(text)!.bytes);
      }),
    );
  });

  it('refuses a subnet whose host bits are set and names the network meant', () => {
    const parsed = parseCidr('10.20.1.0/16');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain('10.20.0.0/16');
    expect(parseCidr('10.20.0.0').ok).toBe(false);
    expect(parseCidr('10.20.0.0/33').ok).toBe(false);
    expect(parseCidr('2001:db8::/129').ok).toBe(false);
    expect(formatCidr(cidr('2001:DB8:0:0::/32'))).toBe('2001:db8::/32');
    expect(formatCidr(cidr('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });

  it('gives Cisco wildcard masks and the last address of an IPv4 prefix', () => {
    expect(ipv4WildcardMask(24)).toBe('0.0.0.255');
    expect(ipv4WildcardMask(20)).toBe('0.0.15.255');
    expect(ipv4WildcardMask(32)).toBe('0.0.0.0');
    expect(ipv4WildcardMask(0)).toBe('255.255.255.255');
    expect(formatIpAddress(ipv4LastAddress(cidr('10.120.0.0/16')))).toBe('10.120.255.255');
  });

  it('finds the longest matching prefix, for IPv4, IPv6 and IPv4-mapped IPv6', () => {
    const index = createPrefixIndex([
      { cidr: cidr('10.0.0.0/8'), value: 'wide' },
      { cidr: cidr('10.20.0.0/16'), value: 'middle' },
      { cidr: cidr('10.20.1.0/24'), value: 'narrow' },
      { cidr: cidr('2001:db8::/32'), value: 'six' },
      { cidr: cidr('2001:db8:1::/48'), value: 'six-narrow' },
    ]);
    expect(index.lookup(address('10.20.1.7'))?.value).toBe('narrow');
    expect(index.lookup(address('10.20.2.7'))?.value).toBe('middle');
    expect(index.lookup(address('10.99.0.1'))?.value).toBe('wide');
    expect(index.lookup(address('11.0.0.1'))).toBeNull();
    expect(index.lookup(address('::ffff:10.20.1.9'))?.value).toBe('narrow');
    expect(index.lookup(address('2001:db8:1::5'))?.value).toBe('six-narrow');
    expect(index.lookup(address('2001:db8:2::5'))?.value).toBe('six');
    expect(formatCidr(index.lookup(address('2001:db8:2::5'))!.cidr)).toBe('2001:db8::/32');
  });

  it('answers as a scan over every prefix would, for random prefixes and addresses', () => {
    const ipv4Prefix = fc
      .tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 }))
      .map(([text, length]) => {
        const bytes = address(text).bytes;
        for (let bit = length; bit < 32; bit += 1) bytes[bit >> 3]! &= ~(1 << (7 - (bit & 7)));
        return { family: 4 as const, bytes, prefixLength: length };
      });
    fc.assert(
      fc.property(
        fc.array(ipv4Prefix, { maxLength: 40 }),
        fc.array(fc.ipV4(), { maxLength: 40 }),
        (prefixes, probes) => {
          const entries = prefixes.map((prefix, position) => ({ cidr: prefix, value: position }));
          const index = createPrefixIndex(entries);
          for (const probe of probes) {
            const target = address(probe);
            let best: { length: number; value: number } | null = null;
            for (const entry of entries) {
              if (!cidrContainsAddress(entry.cidr, target)) continue;
              // The first entry for a prefix wins, as in the index.
              if (best === null || entry.cidr.prefixLength > best.length) {
                best = { length: entry.cidr.prefixLength, value: entry.value };
              }
            }
            expect(index.lookup(target)?.value ?? null).toBe(best?.value ?? null);
          }
        },
      ),
    );
  });

  it('lists every overlapping pair once, wider prefix first', () => {
    const pairs = findOverlaps([
      { cidr: cidr('10.20.4.0/24'), value: 'b' },
      { cidr: cidr('10.20.0.0/16'), value: 'a' },
      { cidr: cidr('10.21.0.0/16'), value: 'c' },
      { cidr: cidr('10.20.4.128/25'), value: 'd' },
      { cidr: cidr('fd00::/8'), value: 'e' },
      { cidr: cidr('10.0.0.0/32'), value: 'f' },
    ]);
    expect(pairs.map(([outer, inner]) => `${outer.value}>${inner.value}`)).toEqual([
      'a>b',
      'a>d',
      'b>d',
    ]);
  });

  it('knows multicast, broadcast and private addresses', () => {
    expect(isNonDeviceAddress(address('224.0.0.251'))).toBe(true);
    expect(isNonDeviceAddress(address('255.255.255.255'))).toBe(true);
    expect(isNonDeviceAddress(address('ff02::fb'))).toBe(true);
    expect(isNonDeviceAddress(address('10.1.2.3'))).toBe(false);
    expect(isPrivateAddress(address('10.1.2.3'))).toBe(true);
    expect(isPrivateAddress(address('fd57::1'))).toBe(true);
    expect(isPrivateAddress(address('93.184.216.34'))).toBe(false);
  });
});
