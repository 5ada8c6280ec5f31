// Turns one source record (canonical field → raw text) into a normalized device, or into every
// problem the record has, each naming its field and the bad value briefly. Pure: no I/O. A field
// absent from the record was not supplied (its column is not mapped) and stays absent in the
// result, so an update leaves it as it is; a supplied empty cell means "no value".
import { isIP } from 'node:net';
import {
  canonicalFieldLabels,
  criticalities,
  deviceClasses,
  lifecycleStates,
  udiIssuers,
} from '../../src-preload/contract';
import type {
  CanonicalField,
  Criticality,
  DeviceClass,
  DeviceRecord,
  ImportIssue,
  LifecycleState,
  UdiIssuer,
} from '../../src-preload/contract';

/** The raw text of one record, keyed by canonical field; an absent key was not supplied. */
export type SourceRecord = Partial<Record<CanonicalField, string>>;

/** The stored fields of a device: what an import may set. */
export type DeviceFields = Omit<
  DeviceRecord,
  'id' | 'uid' | 'revision' | 'createdAt' | 'updatedAt'
>;
export type DeviceFieldName = keyof DeviceFields;

type RequiredFieldName = 'manufacturer' | 'model' | 'serialNumber' | 'deviceClass';

/** A validated device: the identifying fields always, the others only when supplied. */
export type DeviceInput = Pick<DeviceFields, RequiredFieldName> &
  Partial<Omit<DeviceFields, RequiredFieldName>>;

/** Two records describe the same device when these are equal. */
export interface DeviceIdentity {
  manufacturerKey: string;
  serialNumber: string;
}

export type DeviceValidation =
  | { ok: true; device: DeviceInput; identity: DeviceIdentity }
  | { ok: false; issues: ImportIssue[]; identity: DeviceIdentity | null };

/** Where each canonical CSV column lands in the device record. */
export const fieldNames: Record<CanonicalField, DeviceFieldName> = {
  asset_tag: 'assetTag',
  manufacturer: 'manufacturer',
  model: 'model',
  serial_number: 'serialNumber',
  udi_di: 'udiDeviceIdentifier',
  udi_pi: 'udiProductionIdentifier',
  udi_issuer: 'udiIssuer',
  device_class: 'deviceClass',
  criticality: 'criticality',
  site: 'site',
  building: 'building',
  floor: 'floor',
  room: 'room',
  bed: 'bed',
  department: 'department',
  mac_address: 'macAddress',
  ip_address: 'ipAddress',
  hostname: 'hostname',
  firmware_version: 'firmwareVersion',
  lifecycle_state: 'lifecycleState',
  end_of_life: 'endOfLife',
  notes: 'notes',
};

/** The canonical fields an import cannot do without. */
export const requiredCanonicalFields: readonly CanonicalField[] = [
  'manufacturer',
  'model',
  'serial_number',
  'device_class',
];

/** Longest accepted value of each free-text field, in UTF-16 code units. */
export const fieldLengthLimits: Record<CanonicalField, number> = {
  asset_tag: 64,
  manufacturer: 128,
  model: 128,
  serial_number: 128,
  udi_di: 64,
  udi_pi: 200,
  udi_issuer: 16,
  device_class: 64,
  criticality: 64,
  site: 128,
  building: 128,
  floor: 32,
  room: 64,
  bed: 32,
  department: 128,
  mac_address: 32,
  ip_address: 64,
  hostname: 253,
  firmware_version: 64,
  lifecycle_state: 64,
  end_of_life: 16,
  notes: 4000,
};

// Spellings people use for a class besides its code and label (British, long forms).
const deviceClassAliases: Record<string, DeviceClass> = {
  anaesthesia_machine: 'anesthesia_machine',
  lab_analyser: 'lab_analyzer',
  laboratory_analyzer: 'lab_analyzer',
  laboratory_analyser: 'lab_analyzer',
  ekg: 'ecg',
  electrocardiograph: 'ecg',
  steriliser: 'sterilizer',
};

/** Lowercase, trimmed, inner whitespace collapsed: the manufacturer as identity compares it. */
export function manufacturerKey(manufacturer: string): string {
  return manufacturer.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** `Infusion Pump`, `infusion-pump`, `INFUSION_PUMP` → `infusion_pump`. */
function vocabularyKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s\-_]+/g, '_');
}

function matchVocabulary<T extends string>(vocabulary: readonly T[], text: string): T | null {
  const key = vocabularyKey(text);
  return vocabulary.find((code) => code === key) ?? null;
}

export function parseDeviceClass(text: string): DeviceClass | null {
  const key = vocabularyKey(text);
  return matchVocabulary(deviceClasses, key) ?? deviceClassAliases[key] ?? null;
}

export function parseCriticality(text: string): Criticality | null {
  return matchVocabulary(criticalities, text);
}

export function parseLifecycleState(text: string): LifecycleState | null {
  return matchVocabulary(lifecycleStates, text);
}

export function parseUdiIssuer(text: string): UdiIssuer | null {
  const upper = text.trim().toUpperCase();
  return udiIssuers.find((issuer) => issuer === upper) ?? null;
}

/** True when the digits form a GTIN-8, -12, -13 or -14 whose last digit is the GS1 check digit. */
export function isValidGtin(text: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(text)) return false;
  return gs1CheckDigit(text.slice(0, -1)) === Number(text.at(-1));
}

/** The GS1 mod-10 check digit for the digits before it (weights 3,1,3,… from the right). */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    const weight = (digits.length - index) % 2 === 1 ? 3 : 1;
    sum += Number(digits[index]) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A MAC address in colon, dash, Cisco dot or bare form, as lowercase colon-separated pairs;
 * null when the text is none of those.
 */
export function parseMacAddress(text: string): string | null {
  const trimmed = text.trim();
  let hex: string | null = null;
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(trimmed)) {
    hex = trimmed.replace(/[:-]/g, '');
  } else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(trimmed)) {
    hex = trimmed.replaceAll('.', '');
  } else if (/^[0-9a-f]{12}$/i.test(trimmed)) {
    hex = trimmed;
  }
  if (hex === null) return null;
  return hex.toLowerCase().match(/../g)?.join(':') ?? null;
}

const hostnameLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** An RFC 1123 host name, lowercased, without a trailing dot; null when it is not one. */
export function parseHostname(text: string): string | null {
  const name = text.trim().toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253) return null;
  return name.split('.').every((label) => hostnameLabel.test(label)) ? name : null;
}

/** An ISO calendar date YYYY-MM-DD that exists (no 31 April, no 29 February 2023). */
export function isRealIsoDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

// C0, DEL and C1 (Unicode category Cc): C1 includes CSI (U+009B), which some terminals obey when
// the CLI prints a device.
// eslint-disable-next-line no-control-regex -- finding control characters is the purpose
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- as above; tab and line breaks are allowed in notes
const controlCharactersInNotes = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069) can make a serial
// number or host name read differently from what is stored ("Trojan Source"). The plain marks
// LRM, RLM and ALM stay allowed: right-to-left names need them.
const bidiControls = /[\u202a-\u202e\u2066-\u2069]/;

/** A bad value as it appears in a reason: quoted, and cut short when long. */
export function quoteValue(value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown);
}

/**
 * Validates one record. `line` is the physical line where it starts, for the issues. Every
 * problem in the record is reported, not just the first.
 */
export function validateDeviceRecord(source: SourceRecord, line: number): DeviceValidation {
  const issues: ImportIssue[] = [];
  const device: Partial<Record<DeviceFieldName, string | null>> = {};
  const report = (column: CanonicalField, reason: string): void => {
    issues.push({ line, column, reason });
  };

  // First pass: presence, length and characters. Yields the trimmed text of each clean field,
  // '' for a supplied empty cell, undefined when not supplied or already reported.
  const clean: SourceRecord = {};
  for (const field of Object.keys(fieldNames) as CanonicalField[]) {
    const raw = source[field];
    if (raw === undefined) continue;
    const value = raw.trim();
    const title = canonicalFieldLabels[field];
    if (value.length > fieldLengthLimits[field]) {
      report(field, `${title} is longer than ${fieldLengthLimits[field]} characters`);
      continue;
    }
    const forbidden = field === 'notes' ? controlCharactersInNotes : controlCharacters;
    if (forbidden.test(value)) {
      report(field, `${title} contains a control character`);
      continue;
    }
    if (bidiControls.test(value)) {
      report(field, `${title} contains a bidirectional override or isolate character`);
      continue;
    }
    clean[field] = value;
  }

  for (const field of requiredCanonicalFields) {
    if (source[field] !== undefined && clean[field] === '') {
      report(field, `${canonicalFieldLabels[field]} is required`);
    } else if (source[field] === undefined) {
      report(field, `${canonicalFieldLabels[field]} is required but no column supplies it`);
    }
  }

  const plainFields: CanonicalField[] = [
    'asset_tag',
    'manufacturer',
    'model',
    'serial_number',
    'udi_pi',
    'site',
    'building',
    'floor',
    'room',
    'bed',
    'department',
    'firmware_version',
    'notes',
  ];
  for (const field of plainFields) {
    const value = clean[field];
    if (value !== undefined) device[fieldNames[field]] = value === '' ? null : value;
  }

  const deviceClassText = clean.device_class;
  if (deviceClassText) {
    const deviceClass = parseDeviceClass(deviceClassText);
    if (deviceClass) device.deviceClass = deviceClass;
    else report('device_class', `${quoteValue(deviceClassText)} is not a known device class`);
  }

  const criticalityText = clean.criticality;
  if (criticalityText !== undefined) {
    const criticality = criticalityText === '' ? 'unassessed' : parseCriticality(criticalityText);
    if (criticality) device.criticality = criticality;
    else report('criticality', `${quoteValue(criticalityText)} is not a known criticality`);
  }

  const lifecycleText = clean.lifecycle_state;
  if (lifecycleText !== undefined) {
    const state = lifecycleText === '' ? 'received' : parseLifecycleState(lifecycleText);
    if (state) device.lifecycleState = state;
    else report('lifecycle_state', `${quoteValue(lifecycleText)} is not a known lifecycle state`);
  }

  validateUdi(clean, device, report);

  const macText = clean.mac_address;
  if (macText !== undefined) {
    const mac = macText === '' ? null : parseMacAddress(macText);
    if (macText === '' || mac) device.macAddress = mac;
    else report('mac_address', `${quoteValue(macText)} is not a MAC address`);
  }

  const ipText = clean.ip_address;
  if (ipText !== undefined) {
    const family = ipText === '' ? 0 : isIP(ipText);
    if (ipText === '') device.ipAddress = null;
    else if (family === 4) device.ipAddress = ipText;
    else if (family === 6) device.ipAddress = ipText.toLowerCase();
    else report('ip_address', `${quoteValue(ipText)} is not an IPv4 or IPv6 address`);
  }

  const hostnameText = clean.hostname;
  if (hostnameText !== undefined) {
    const hostname = hostnameText === '' ? null : parseHostname(hostnameText);
    if (hostnameText === '' || hostname) device.hostname = hostname;
    else report('hostname', `${quoteValue(hostnameText)} is not a valid host name (RFC 1123)`);
  }

  const endOfLifeText = clean.end_of_life;
  if (endOfLifeText !== undefined) {
    if (endOfLifeText === '' || endOfLifeText.toLowerCase() === 'unknown') device.endOfLife = null;
    else if (isRealIsoDate(endOfLifeText)) device.endOfLife = endOfLifeText;
    else report('end_of_life', `${quoteValue(endOfLifeText)} is not a date in the form YYYY-MM-DD`);
  }

  const manufacturer = device.manufacturer;
  const serialNumber = device.serialNumber;
  const identity =
    typeof manufacturer === 'string' && typeof serialNumber === 'string'
      ? { manufacturerKey: manufacturerKey(manufacturer), serialNumber }
      : null;
  if (issues.length > 0 || identity === null) return { ok: false, issues, identity };
  // Every required field was present and clean, and every value was checked against its type.
  return { ok: true, device: device as DeviceInput, identity };
}

function validateUdi(
  clean: SourceRecord,
  device: Partial<Record<DeviceFieldName, string | null>>,
  report: (column: CanonicalField, reason: string) => void,
): void {
  const issuerText = clean.udi_issuer;
  const deviceIdentifier = clean.udi_di;
  let issuer: UdiIssuer | null = null;
  if (issuerText) {
    issuer = parseUdiIssuer(issuerText);
    if (!issuer) report('udi_issuer', `${quoteValue(issuerText)} is not GS1, HIBCC or ICCBBA`);
  }
  if (issuerText !== undefined && issuer !== null) device.udiIssuer = issuer;
  else if (issuerText === '') device.udiIssuer = null;

  if (deviceIdentifier !== undefined) device.udiDeviceIdentifier = deviceIdentifier || null;

  if (deviceIdentifier) {
    if (!issuerText) {
      report('udi_issuer', 'UDI issuer is required when a UDI device identifier is given');
    } else if (issuer === 'GS1' && !isValidGtin(deviceIdentifier)) {
      report(
        'udi_di',
        `${quoteValue(deviceIdentifier)} is not a GTIN (8, 12, 13 or 14 digits with a valid check digit)`,
      );
    } else if (issuer === 'HIBCC' && !/^\+[!-~]+$/.test(deviceIdentifier)) {
      report('udi_di', `${quoteValue(deviceIdentifier)} is not a HIBCC identifier (starts with +)`);
    } else if (issuer === 'ICCBBA' && !/^=[!-~]+$/.test(deviceIdentifier)) {
      report(
        'udi_di',
        `${quoteValue(deviceIdentifier)} is not an ICCBBA identifier (starts with =)`,
      );
    }
  } else {
    if (issuerText) {
      report('udi_issuer', 'UDI issuer is given without a UDI device identifier');
    }
    if (clean.udi_pi) {
      report('udi_pi', 'a UDI production identifier needs a UDI device identifier');
    }
  }
}
