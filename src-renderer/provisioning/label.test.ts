import { describe, expect, it } from 'vitest';
import { deviceLabel, fingerprintLines, isoDate } from './label';
import { provisionedOutcome } from './testOutcomes';

const fingerprint = Array.from({ length: 32 }, (_, index) =>
  index.toString(16).padStart(2, '0'),
).join('');

const outcome = provisionedOutcome({
  startedAtMs: Date.UTC(2026, 10, 23, 10),
  endedAtMs: Date.UTC(2026, 10, 23, 10, 0, 2),
  certificate: { ...provisionedOutcome().certificate, fingerprintSha256: fingerprint },
});

describe('deviceLabel', () => {
  it('puts the whole fingerprint on four lines of eight bytes', () => {
    const lines = fingerprintLines(fingerprint);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('00:01:02:03:04:05:06:07');
    expect(lines.join(':').replace(/:/g, '').toLowerCase()).toBe(fingerprint);
  });

  it('titles the label with the asset tag and names the device below it', () => {
    const label = deviceLabel(outcome, { assetTag: ' ICU-PUMP-042 ' });
    expect(label.title).toBe('ICU-PUMP-042');
    expect(label.lines).toEqual([
      { term: 'Device', value: 'Medica Infusion Systems InfuPro 3000' },
      { term: 'Serial', value: 'IP3-0001' },
      { term: 'Zone', value: 'medical-devices / VLAN 120' },
      { term: 'Certificate', value: '7f01' },
      { term: 'Valid until', value: '2027-11-23' },
      { term: 'Provisioned', value: '2026-11-23' },
    ]);
  });

  it('titles the label with the device when it has no asset tag', () => {
    const label = deviceLabel(outcome, { assetTag: null });
    expect(label.title).toBe('Medica Infusion Systems InfuPro 3000');
    expect(label.lines[0]).toEqual({ term: 'Serial', value: 'IP3-0001' });
  });

  it('dates in UTC', () => {
    expect(isoDate(Date.UTC(2026, 11, 31, 23, 59))).toBe('2026-12-31');
  });
});
