import { describe, expect, it } from 'vitest';
import type { CanonicalField, ImportIssue } from '../../src-preload/contract';
import {
  criticalities,
  deviceClassLabels,
  deviceClasses,
  lifecycleStates,
} from '../../src-preload/contract';
import type { DeviceInput, SourceRecord } from './device-fields';
import {
  gs1CheckDigit,
  isRealIsoDate,
  isValidGtin,
  manufacturerKey,
  parseHostname,
  parseDeviceClass,
  parseMacAddress,
  quoteValue,
  validateDeviceCells,
  validateDeviceRecord,
  validatedFields,
} from './device-fields';

const minimal = {
  manufacturer: 'Acme Medical',
  model: 'InfuStar 3',
  serial_number: 'SN-001',
  device_class: 'infusion_pump',
} satisfies SourceRecord;

function accepted(extra: SourceRecord): DeviceInput {
  const result = validateDeviceRecord({ ...minimal, ...extra }, 2);
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result.device;
}

function issues(extra: SourceRecord, line = 2): ImportIssue[] {
  const result = validateDeviceRecord({ ...minimal, ...extra }, line);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.device)}`);
  return result.issues;
}

function onlyIssue(field: CanonicalField, value: string): string {
  const found = issues({ [field]: value });
  expect(found).toHaveLength(1);
  expect(found[0]?.column).toBe(field);
  return found[0]?.reason ?? '';
}

describe('validateDeviceRecord: required fields and identity', () => {
  it('accepts the four required fields alone and sets nothing it was not given', () => {
    const result = validateDeviceRecord(minimal, 2);
    expect(result).toEqual({
      ok: true,
      device: {
        manufacturer: 'Acme Medical',
        model: 'InfuStar 3',
        serialNumber: 'SN-001',
        deviceClass: 'infusion_pump',
      },
      identity: { manufacturerKey: 'acme medical', serialNumber: 'SN-001' },
    });
  });

  it('says which required field is empty and which no column supplies, all at once with the line', () => {
    const result = validateDeviceRecord({ manufacturer: '  ', model: '', serial_number: 'S1' }, 17);
    expect(result).toEqual({
      ok: false,
      identity: null,
      issues: [
        { line: 17, column: 'manufacturer', reason: 'Manufacturer is required' },
        { line: 17, column: 'model', reason: 'Model is required' },
        {
          line: 17,
          column: 'device_class',
          reason: 'Device class is required but no column supplies it',
        },
      ],
    });
  });

  it('reports every problem of a record, not only the first, and keeps its identity', () => {
    const result = validateDeviceRecord(
      { ...minimal, mac_address: 'zz', ip_address: '10.0.0.256', end_of_life: 'soon' },
      9,
    );
    expect(result).toEqual({
      ok: false,
      identity: { manufacturerKey: 'acme medical', serialNumber: 'SN-001' },
      issues: [
        { line: 9, column: 'mac_address', reason: '"zz" is not a MAC address' },
        { line: 9, column: 'ip_address', reason: '"10.0.0.256" is not an IPv4 or IPv6 address' },
        { line: 9, column: 'end_of_life', reason: '"soon" is not a date in the form YYYY-MM-DD' },
      ],
    });
  });

  it('trims every value and stores a supplied empty optional cell as null', () => {
    expect(
      accepted({
        manufacturer: '  Acme Medical ',
        serial_number: '\tSN-001 ',
        site: ' General ',
        room: '',
        notes: '  ',
      }),
    ).toEqual({
      manufacturer: 'Acme Medical',
      model: 'InfuStar 3',
      serialNumber: 'SN-001',
      deviceClass: 'infusion_pump',
      site: 'General',
      room: null,
      notes: null,
    });
  });

  it('compares manufacturers by case, spacing and Unicode form, but serial numbers exactly', () => {
    expect(manufacturerKey('  ACME \t Medical\n')).toBe('acme medical');
    // "Söderberg" with a combining diaeresis (NFD) and precomposed (NFC) are the same maker.
    expect(manufacturerKey('So\u0308derberg')).toBe(manufacturerKey('Söderberg'));
    const upper = validateDeviceRecord({ ...minimal, manufacturer: 'ACME  medical' }, 2);
    const lower = validateDeviceRecord({ ...minimal, serial_number: 'sn-001' }, 2);
    expect(upper.identity).toEqual({ manufacturerKey: 'acme medical', serialNumber: 'SN-001' });
    expect(lower.identity).toEqual({ manufacturerKey: 'acme medical', serialNumber: 'sn-001' });
  });

  it('refuses values longer than the field allows', () => {
    expect(onlyIssue('serial_number', 'x'.repeat(129))).toBe(
      'Serial number is longer than 128 characters',
    );
    expect(accepted({ serial_number: 'x'.repeat(128) }).serialNumber).toHaveLength(128);
    expect(onlyIssue('notes', 'n'.repeat(4001))).toBe('Notes is longer than 4000 characters');
  });

  it('refuses control characters, but allows tab and line breaks inside notes', () => {
    for (const value of ['SN\u0000001', 'SN\u0007', 'SN\u001b[31m', 'SN\u007f', 'SN\u009b31m']) {
      expect(onlyIssue('serial_number', value)).toBe('Serial number contains a control character');
    }
    expect(onlyIssue('model', 'Pump\tX')).toBe('Model contains a control character');
    expect(onlyIssue('site', 'North\nSouth')).toBe('Site contains a control character');
    expect(accepted({ notes: 'first\tcolumn\r\nsecond line\nthird' }).notes).toBe(
      'first\tcolumn\r\nsecond line\nthird',
    );
    for (const value of ['bell\u0007', 'vertical\u000btab', 'escape\u001b[2J', 'csi\u009b2J']) {
      expect(onlyIssue('notes', value)).toBe('Notes contains a control character');
    }
  });

  it('refuses bidirectional overrides and isolates, and keeps the plain direction marks', () => {
    for (const mark of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2069']) {
      expect(onlyIssue('serial_number', `SN-${mark}100`)).toBe(
        'Serial number contains a bidirectional override or isolate character',
      );
      expect(onlyIssue('notes', `see ${mark}note`)).toBe(
        'Notes contains a bidirectional override or isolate character',
      );
    }
    expect(accepted({ department: 'קרדיולוגיה\u200f ICU' }).department).toBe(
      'קרדיולוגיה\u200f ICU',
    );
  });

  it('shows a bad value quoted and cut short', () => {
    expect(quoteValue('short')).toBe('"short"');
    expect(quoteValue('q"uote')).toBe('"q\\"uote"');
    expect(quoteValue('x'.repeat(45))).toBe(`"${'x'.repeat(40)}…"`);
  });
});

describe('validateDeviceRecord: vocabularies', () => {
  it('accepts device classes by code, label or common spelling, in any case', () => {
    const spellings: Array<[string, string]> = [
      ['infusion_pump', 'infusion_pump'],
      ['Infusion Pump', 'infusion_pump'],
      ['INFUSION-PUMP', 'infusion_pump'],
      ['  patient monitor ', 'patient_monitor'],
      ['Anaesthesia machine', 'anesthesia_machine'],
      ['EKG', 'ecg'],
      ['Laboratory Analyser', 'lab_analyzer'],
      ['Steriliser', 'sterilizer'],
    ];
    for (const [text, code] of spellings) {
      expect(accepted({ device_class: text }).deviceClass, text).toBe(code);
    }
    for (const code of deviceClasses) {
      expect(accepted({ device_class: deviceClassLabels[code] }).deviceClass).toBe(code);
    }
    expect(onlyIssue('device_class', 'Toaster')).toBe('"Toaster" is not a known device class');
  });

  it('knows no device class by the name of a property every object has', () => {
    for (const text of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(parseDeviceClass(text), text).toBeNull();
      expect(onlyIssue('device_class', text)).toBe(`"${text}" is not a known device class`);
    }
  });

  it('accepts criticality codes in any case and spelling; an empty cell means unassessed', () => {
    for (const code of criticalities) {
      expect(accepted({ criticality: code.toUpperCase().replace('_', ' ') }).criticality).toBe(
        code,
      );
    }
    expect(accepted({ criticality: 'Life-Sustaining' }).criticality).toBe('life_sustaining');
    expect(accepted({ criticality: '' }).criticality).toBe('unassessed');
    expect(onlyIssue('criticality', 'critical')).toBe('"critical" is not a known criticality');
  });

  it('accepts lifecycle states in any case and spelling; an empty cell means received', () => {
    for (const code of lifecycleStates) {
      expect(accepted({ lifecycle_state: code.toUpperCase() }).lifecycleState).toBe(code);
    }
    expect(accepted({ lifecycle_state: 'In Service' }).lifecycleState).toBe('in_service');
    expect(accepted({ lifecycle_state: '' }).lifecycleState).toBe('received');
    expect(onlyIssue('lifecycle_state', 'retired')).toBe(
      '"retired" is not a known lifecycle state',
    );
  });
});

describe('validateDeviceRecord: network fields', () => {
  it('normalises MAC addresses in colon, dash, Cisco dot and bare form to lowercase colons', () => {
    for (const text of [
      '00:1A:2B:3C:4D:5E',
      '00-1a-2b-3c-4d-5e',
      '001A.2B3C.4D5E',
      '001a2b3c4d5e',
    ]) {
      expect(accepted({ mac_address: ` ${text} ` }).macAddress, text).toBe('00:1a:2b:3c:4d:5e');
    }
    expect(accepted({ mac_address: '' }).macAddress).toBeNull();
  });

  it('refuses mixed separators, wrong lengths and non-hex digits in a MAC address', () => {
    for (const text of [
      '00:1a-2b:3c:4d:5e',
      '00:1a:2b:3c:4d',
      '00:1a:2b:3c:4d:5e:6f',
      '00:1a:2b:3c:4d:5g',
      '001a2b3c4d5',
      '0:1a:2b:3c:4d:5e',
    ]) {
      expect(parseMacAddress(text), text).toBeNull();
      expect(onlyIssue('mac_address', text)).toBe(`${JSON.stringify(text)} is not a MAC address`);
    }
  });

  it('keeps IPv4 addresses, lowercases IPv6 ones, and refuses anything else', () => {
    expect(accepted({ ip_address: '10.1.0.5' }).ipAddress).toBe('10.1.0.5');
    expect(accepted({ ip_address: '2001:DB8::A:1' }).ipAddress).toBe('2001:db8::a:1');
    expect(accepted({ ip_address: '::ffff:10.0.0.1' }).ipAddress).toBe('::ffff:10.0.0.1');
    expect(accepted({ ip_address: '' }).ipAddress).toBeNull();
    for (const text of [
      '256.1.1.1',
      '010.1.0.5',
      '10.1.0',
      '10.1.0.0/24',
      'pump-17',
      '2001:db8:::1',
    ]) {
      expect(onlyIssue('ip_address', text)).toBe(
        `${JSON.stringify(text)} is not an IPv4 or IPv6 address`,
      );
    }
  });

  it('lowercases RFC 1123 host names, drops a trailing dot and refuses bad labels', () => {
    expect(accepted({ hostname: 'Pump-17.ICU.Example.org.' }).hostname).toBe(
      'pump-17.icu.example.org',
    );
    expect(parseHostname('3com')).toBe('3com');
    expect(parseHostname(`${'a'.repeat(63)}.org`)).toBe(`${'a'.repeat(63)}.org`);
    for (const text of ['pump_17', '-pump', 'pump-', 'a..b', `${'a'.repeat(64)}.org`, 'pump 17']) {
      expect(parseHostname(text), text).toBeNull();
      expect(onlyIssue('hostname', text)).toBe(
        `${quoteValue(text)} is not a valid host name (RFC 1123)`,
      );
    }
    expect(onlyIssue('hostname', 'a'.repeat(254))).toBe('Hostname is longer than 253 characters');
  });
});

describe('validateDeviceRecord: UDI', () => {
  it('checks GS1 device identifiers as GTIN-8, -12, -13 or -14 with their check digit', () => {
    for (const gtin of ['96385074', '036000291452', '4006381333931', '10614141000415']) {
      expect(isValidGtin(gtin), gtin).toBe(true);
      expect(gs1CheckDigit(gtin.slice(0, -1))).toBe(Number(gtin.at(-1)));
    }
    expect(
      accepted({ udi_di: '10614141000415', udi_issuer: 'gs1', udi_pi: '(17)290630(21)A1' }),
    ).toMatchObject({
      udiDeviceIdentifier: '10614141000415',
      udiIssuer: 'GS1',
      udiProductionIdentifier: '(17)290630(21)A1',
    });
    for (const text of ['4006381333932', '40063813339', '0614141A00415', '123456789012345']) {
      expect(isValidGtin(text), text).toBe(false);
    }
    expect(issues({ udi_di: '4006381333932', udi_issuer: 'GS1' })).toEqual([
      {
        line: 2,
        column: 'udi_di',
        reason: '"4006381333932" is not a GTIN (8, 12, 13 or 14 digits with a valid check digit)',
      },
    ]);
  });

  it('checks HIBCC identifiers start with + and ICCBBA ones with =', () => {
    expect(accepted({ udi_di: '+H417INFLVP0', udi_issuer: 'HIBCC' })).toMatchObject({
      udiDeviceIdentifier: '+H417INFLVP0',
      udiIssuer: 'HIBCC',
    });
    expect(accepted({ udi_di: '=/A9999XYZ100T0944', udi_issuer: 'iccbba' })).toMatchObject({
      udiDeviceIdentifier: '=/A9999XYZ100T0944',
      udiIssuer: 'ICCBBA',
    });
    expect(issues({ udi_di: '+H417INFLVP0' })).toEqual([
      {
        line: 2,
        column: 'udi_issuer',
        reason: 'UDI issuer is required when a UDI device identifier is given',
      },
    ]);
    expect(issues({ udi_di: 'H417INFLVP0', udi_issuer: 'HIBCC' })).toEqual([
      {
        line: 2,
        column: 'udi_di',
        reason: '"H417INFLVP0" is not a HIBCC identifier (starts with +)',
      },
    ]);
    expect(issues({ udi_di: '+H417 X', udi_issuer: 'HIBCC' })[0]?.column).toBe('udi_di');
    expect(issues({ udi_di: 'A9999', udi_issuer: 'ICCBBA' })).toEqual([
      { line: 2, column: 'udi_di', reason: '"A9999" is not an ICCBBA identifier (starts with =)' },
    ]);
  });

  it('refuses an unknown issuer, an issuer without identifier and a production identifier alone', () => {
    expect(issues({ udi_di: '4006381333931', udi_issuer: 'IFA' })).toEqual([
      { line: 2, column: 'udi_issuer', reason: '"IFA" is not GS1, HIBCC or ICCBBA' },
    ]);
    expect(issues({ udi_di: '', udi_issuer: 'GS1' })).toEqual([
      {
        line: 2,
        column: 'udi_issuer',
        reason: 'UDI issuer is given without a UDI device identifier',
      },
    ]);
    expect(issues({ udi_di: '', udi_issuer: '', udi_pi: '(21)A1' })).toEqual([
      {
        line: 2,
        column: 'udi_pi',
        reason: 'a UDI production identifier needs a UDI device identifier',
      },
    ]);
    expect(accepted({ udi_di: '', udi_issuer: '', udi_pi: '' })).toMatchObject({
      udiDeviceIdentifier: null,
      udiIssuer: null,
      udiProductionIdentifier: null,
    });
  });
});

describe('validateDeviceRecord: end of life', () => {
  it('accepts a real ISO date, or "unknown" and an empty cell as no date', () => {
    expect(accepted({ end_of_life: '2031-06-30' }).endOfLife).toBe('2031-06-30');
    expect(accepted({ end_of_life: '2024-02-29' }).endOfLife).toBe('2024-02-29');
    expect(accepted({ end_of_life: 'unknown' }).endOfLife).toBeNull();
    expect(accepted({ end_of_life: 'Unknown' }).endOfLife).toBeNull();
    expect(accepted({ end_of_life: '' }).endOfLife).toBeNull();
  });

  it('refuses impossible dates and other date formats', () => {
    for (const text of [
      '2025-02-30',
      '2023-02-29',
      '2025-04-31',
      '2031-13-01',
      '2031-00-10',
      '2031-06-00',
      '2031-6-30',
      '30.06.2031',
      '31/12/2031',
    ]) {
      expect(isRealIsoDate(text), text).toBe(false);
      expect(onlyIssue('end_of_life', text)).toBe(
        `${JSON.stringify(text)} is not a date in the form YYYY-MM-DD`,
      );
    }
  });
});

describe('validateDeviceCells', () => {
  it('gives for a record by position exactly what validateDeviceRecord gives by field name', () => {
    const records: SourceRecord[] = [
      minimal,
      { ...minimal, site: ' General ', room: '', mac_address: '001A.2B3C.4D5E', notes: 'a\nb' },
      { ...minimal, udi_di: '4006381333931', udi_issuer: 'gs1', end_of_life: '2025-02-30' },
      { manufacturer: 'Acme', serial_number: 'S\u202eN', device_class: 'Toaster', hostname: '-x' },
      {},
    ];
    for (const source of records) {
      const cells = validatedFields.map((field) => source[field]);
      expect(validateDeviceCells(cells, 4), JSON.stringify(source)).toEqual(
        validateDeviceRecord(source, 4),
      );
    }
  });

  it('answers the same for a value seen before, after many distinct values', () => {
    const first = validateDeviceRecord({ ...minimal, manufacturer: ' Maker  0 ' }, 2);
    for (let index = 0; index < 10_000; index += 1) {
      const maker = `Maker ${index}`;
      expect(manufacturerKey(maker)).toBe(`maker ${index}`);
      expect(isRealIsoDate(`20${String(index % 100).padStart(2, '0')}-02-29`)).toBe(
        (index % 100) % 4 === 0,
      );
    }
    expect(validateDeviceRecord({ ...minimal, manufacturer: ' Maker  0 ' }, 2)).toEqual(first);
    expect(first.identity).toEqual({ manufacturerKey: 'maker 0', serialNumber: 'SN-001' });
  });
});
