// Turns one source record (canonical field → raw text) into a normalized device, or into every
// problem the record has, each naming its field and the bad value briefly. Pure: no I/O. A field
// absent from the record was not supplied (its column is not mapped) and stays absent in the
// result, so an update leaves it as it is; a supplied empty cell means "no value".
import { isIP } from 'node:net';
// The vocabularies, not the contract: this module also runs on the import's worker thread.
import {
  canonicalFieldLabels,
  criticalities,
  deviceClasses,
  lifecycleStates,
  udiIssuers,
} from '../../src-preload/inventory/vocabulary';
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

// Spellings people use for a class besides its code and label (British, long forms). A map, so
// that a key such as `constructor` finds nothing rather than a property of every object.
const deviceClassAliases = new Map<string, DeviceClass>([
  ['anaesthesia_machine', 'anesthesia_machine'],
  ['lab_analyser', 'lab_analyzer'],
  ['laboratory_analyzer', 'lab_analyzer'],
  ['laboratory_analyser', 'lab_analyzer'],
  ['ekg', 'ecg'],
  ['electrocardiograph', 'ecg'],
  ['steriliser', 'sterilizer'],
]);

/**
 * A pure function of a text that remembers its answers: an import repeats the same few classes,
 * manufacturers, UDI device identifiers and dates on row after row. Forgets everything once it
 * holds `capacity` answers, so a file of distinct values costs a bounded map, never more.
 */
function remembering<T>(answer: (text: string) => T, capacity = 4096): (text: string) => T {
  const answers = new Map<string, T>();
  return (text) => {
    const known = answers.get(text);
    if (known !== undefined) return known;
    const computed = answer(text);
    if (answers.size >= capacity) answers.clear();
    answers.set(text, computed);
    return computed;
  };
}

const rememberedManufacturerKey = remembering((manufacturer) =>
  manufacturer.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase(),
);

/** Lowercase, trimmed, inner whitespace collapsed: the manufacturer as identity compares it. */
export function manufacturerKey(manufacturer: string): string {
  return rememberedManufacturerKey(manufacturer);
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

const rememberedDeviceClass = remembering((text): DeviceClass | null => {
  const key = vocabularyKey(text);
  return matchVocabulary(deviceClasses, key) ?? deviceClassAliases.get(key) ?? null;
});
const rememberedCriticality = remembering((text) => matchVocabulary(criticalities, text));
const rememberedLifecycleState = remembering((text) => matchVocabulary(lifecycleStates, text));
const rememberedUdiIssuer = remembering((text): UdiIssuer | null => {
  const upper = text.trim().toUpperCase();
  return udiIssuers.find((issuer) => issuer === upper) ?? null;
});

export function parseDeviceClass(text: string): DeviceClass | null {
  return rememberedDeviceClass(text);
}

export function parseCriticality(text: string): Criticality | null {
  return rememberedCriticality(text);
}

export function parseLifecycleState(text: string): LifecycleState | null {
  return rememberedLifecycleState(text);
}

export function parseUdiIssuer(text: string): UdiIssuer | null {
  return rememberedUdiIssuer(text);
}

const rememberedGtinValidity = remembering(
  (text) =>
    /^(\d{8}|\d{12,14})$/.test(text) && gs1CheckDigit(text.slice(0, -1)) === Number(text.at(-1)),
);

/** True when the digits form a GTIN-8, -12, -13 or -14 whose last digit is the GS1 check digit. */
export function isValidGtin(text: string): boolean {
  return rememberedGtinValidity(text);
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
  if (storedMacAddress.test(trimmed)) return trimmed;
  let hex: string | null = null;
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(trimmed)) {
    hex = trimmed.replace(/[:-]/g, '');
  } else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(trimmed)) {
    hex = trimmed.replaceAll('.', '');
  } else if (/^[0-9a-f]{12}$/i.test(trimmed)) {
    hex = trimmed;
  }
  if (hex === null) return null;
  const digits = hex.toLowerCase();
  return `${digits.slice(0, 2)}:${digits.slice(2, 4)}:${digits.slice(4, 6)}:${digits.slice(6, 8)}:${digits.slice(8, 10)}:${digits.slice(10)}`;
}

// The form parseMacAddress returns, which it therefore returns unchanged.
const storedMacAddress = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

// Labels of 1 to 63 letters, digits and inner hyphens, joined by single dots.
const hostnamePattern =
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** An RFC 1123 host name, lowercased, without a trailing dot; null when it is not one. */
export function parseHostname(text: string): string | null {
  let name = text.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253) return null;
  return hostnamePattern.test(name) ? name : null;
}

const rememberedDateValidity = remembering((text) => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
});

/** An ISO calendar date YYYY-MM-DD that exists (no 31 April, no 29 February 2023). */
export function isRealIsoDate(text: string): boolean {
  return rememberedDateValidity(text);
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

/** The fields a record may supply, in the order their problems are reported. */
export const validatedFields = Object.keys(fieldNames) as CanonicalField[];

/** A record's raw text by position in `validatedFields`; undefined where it is not supplied. */
export type SourceCells = ReadonlyArray<string | undefined>;

interface FieldRule {
  field: CanonicalField;
  position: number;
  title: string;
  limit: number;
  controls: RegExp;
}

// Everything validation needs per field, worked out once rather than on every row.
const fieldRules: readonly FieldRule[] = validatedFields.map((field, position) => ({
  field,
  position,
  title: canonicalFieldLabels[field],
  limit: fieldLengthLimits[field],
  controls: field === 'notes' ? controlCharactersInNotes : controlCharacters,
}));
const ruleOf = Object.fromEntries(fieldRules.map((rule) => [rule.field, rule])) as Record<
  CanonicalField,
  FieldRule
>;
const requiredRules = requiredCanonicalFields.map((field) => ruleOf[field]);
const at = Object.fromEntries(fieldRules.map((rule) => [rule.field, rule.position])) as Record<
  CanonicalField,
  number
>;

// Every character that the first pass may refuse: control characters (including some that notes
// allow) and bidirectional controls. Nearly no text holds one, and then one test spares two.
// eslint-disable-next-line no-control-regex -- finding control characters is the purpose
const refusedCharacterCandidates = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// The clean text of each field of the record being validated. Shared by every call: validation
// is synchronous and never re-entered, and no result refers to it.
const clean: (string | undefined)[] = validatedFields.map(() => undefined);

function addIssue(issues: ImportIssue[], line: number, column: CanonicalField, reason: string) {
  issues.push({ line, column, reason });
}

/**
 * Validates one record. `line` is the physical line where it starts, for the issues. Every
 * problem in the record is reported, not just the first.
 */
export function validateDeviceRecord(source: SourceRecord, line: number): DeviceValidation {
  return validateDeviceCells(
    validatedFields.map((field) => source[field]),
    line,
  );
}

/** validateDeviceRecord for a record given by position (see SourceCells): the import's form. */
export function validateDeviceCells(cells: SourceCells, line: number): DeviceValidation {
  const issues: ImportIssue[] = [];

  // First pass: presence, length and characters. Yields the trimmed text of each clean field,
  // '' for a supplied empty cell, undefined when not supplied or already reported.
  for (const rule of fieldRules) {
    const raw = cells[rule.position];
    clean[rule.position] = undefined;
    if (raw === undefined) continue;
    const value = trimmed(raw);
    if (value.length > rule.limit) {
      addIssue(issues, line, rule.field, `${rule.title} is longer than ${rule.limit} characters`);
      continue;
    }
    if (refusedCharacterCandidates.test(value)) {
      if (rule.controls.test(value)) {
        addIssue(issues, line, rule.field, `${rule.title} contains a control character`);
        continue;
      }
      if (bidiControls.test(value)) {
        addIssue(
          issues,
          line,
          rule.field,
          `${rule.title} contains a bidirectional override or isolate character`,
        );
        continue;
      }
    }
    clean[rule.position] = value;
  }

  for (const rule of requiredRules) {
    const supplied = cells[rule.position] !== undefined;
    if (supplied && clean[rule.position] === '') {
      addIssue(issues, line, rule.field, `${rule.title} is required`);
    } else if (!supplied) {
      addIssue(issues, line, rule.field, `${rule.title} is required but no column supplies it`);
    }
  }

  let deviceClass: DeviceClass | undefined;
  const deviceClassText = clean[at.device_class];
  if (deviceClassText) {
    const parsed = parseDeviceClass(deviceClassText);
    if (parsed) deviceClass = parsed;
    else
      addIssue(
        issues,
        line,
        'device_class',
        `${quoteValue(deviceClassText)} is not a known device class`,
      );
  }

  let criticality: Criticality | undefined;
  const criticalityText = clean[at.criticality];
  if (criticalityText !== undefined) {
    const parsed = criticalityText === '' ? 'unassessed' : parseCriticality(criticalityText);
    if (parsed) criticality = parsed;
    else
      addIssue(
        issues,
        line,
        'criticality',
        `${quoteValue(criticalityText)} is not a known criticality`,
      );
  }

  let lifecycleState: LifecycleState | undefined;
  const lifecycleText = clean[at.lifecycle_state];
  if (lifecycleText !== undefined) {
    const parsed = lifecycleText === '' ? 'received' : parseLifecycleState(lifecycleText);
    if (parsed) lifecycleState = parsed;
    else
      addIssue(
        issues,
        line,
        'lifecycle_state',
        `${quoteValue(lifecycleText)} is not a known lifecycle state`,
      );
  }

  const udi = validateUdi(issues, line);

  let macAddress: string | null | undefined;
  const macText = clean[at.mac_address];
  if (macText !== undefined) {
    const mac = macText === '' ? null : parseMacAddress(macText);
    if (macText === '' || mac) macAddress = mac;
    else addIssue(issues, line, 'mac_address', `${quoteValue(macText)} is not a MAC address`);
  }

  let ipAddress: string | null | undefined;
  const ipText = clean[at.ip_address];
  if (ipText !== undefined) {
    const family = ipText === '' ? 0 : isIP(ipText);
    if (ipText === '') ipAddress = null;
    else if (family === 4) ipAddress = ipText;
    else if (family === 6) ipAddress = ipText.toLowerCase();
    else
      addIssue(issues, line, 'ip_address', `${quoteValue(ipText)} is not an IPv4 or IPv6 address`);
  }

  let hostname: string | null | undefined;
  const hostnameText = clean[at.hostname];
  if (hostnameText !== undefined) {
    const parsed = hostnameText === '' ? null : parseHostname(hostnameText);
    if (hostnameText === '' || parsed) hostname = parsed;
    else
      addIssue(
        issues,
        line,
        'hostname',
        `${quoteValue(hostnameText)} is not a valid host name (RFC 1123)`,
      );
  }

  let endOfLife: string | null | undefined;
  const endOfLifeText = clean[at.end_of_life];
  if (endOfLifeText !== undefined) {
    if (endOfLifeText === '' || endOfLifeText.toLowerCase() === 'unknown') endOfLife = null;
    else if (isRealIsoDate(endOfLifeText)) endOfLife = endOfLifeText;
    else
      addIssue(
        issues,
        line,
        'end_of_life',
        `${quoteValue(endOfLifeText)} is not a date in the form YYYY-MM-DD`,
      );
  }

  const manufacturer = plainValue(at.manufacturer);
  const serialNumber = plainValue(at.serial_number);
  const identity =
    typeof manufacturer === 'string' && typeof serialNumber === 'string'
      ? { manufacturerKey: manufacturerKey(manufacturer), serialNumber }
      : null;
  if (issues.length > 0 || identity === null) return { ok: false, issues, identity };
  // Every required field was present and clean, and every value was checked against its type.
  // A field that was not supplied stays absent. Assigned by name in a fixed order, so that every
  // device of one import has one shape (a loop over names was twice as slow).
  const assetTag = plainValue(at.asset_tag);
  const model = plainValue(at.model);
  const udiProductionIdentifier = plainValue(at.udi_pi);
  const site = plainValue(at.site);
  const building = plainValue(at.building);
  const floor = plainValue(at.floor);
  const room = plainValue(at.room);
  const bed = plainValue(at.bed);
  const department = plainValue(at.department);
  const firmwareVersion = plainValue(at.firmware_version);
  const notes = plainValue(at.notes);
  const device: Partial<Record<DeviceFieldName, string | null>> = {};
  if (assetTag !== undefined) device.assetTag = assetTag;
  device.manufacturer = manufacturer;
  if (model !== undefined) device.model = model;
  device.serialNumber = serialNumber;
  if (udi.deviceIdentifier !== undefined) device.udiDeviceIdentifier = udi.deviceIdentifier;
  if (udiProductionIdentifier !== undefined)
    device.udiProductionIdentifier = udiProductionIdentifier;
  if (udi.issuer !== undefined) device.udiIssuer = udi.issuer;
  if (deviceClass !== undefined) device.deviceClass = deviceClass;
  if (criticality !== undefined) device.criticality = criticality;
  if (site !== undefined) device.site = site;
  if (building !== undefined) device.building = building;
  if (floor !== undefined) device.floor = floor;
  if (room !== undefined) device.room = room;
  if (bed !== undefined) device.bed = bed;
  if (department !== undefined) device.department = department;
  if (macAddress !== undefined) device.macAddress = macAddress;
  if (ipAddress !== undefined) device.ipAddress = ipAddress;
  if (hostname !== undefined) device.hostname = hostname;
  if (firmwareVersion !== undefined) device.firmwareVersion = firmwareVersion;
  if (lifecycleState !== undefined) device.lifecycleState = lifecycleState;
  if (endOfLife !== undefined) device.endOfLife = endOfLife;
  if (notes !== undefined) device.notes = notes;
  return { ok: true, device: device as DeviceInput, identity };
}

/** A free-text field as stored: null for an empty cell, undefined when not supplied. */
function plainValue(position: number): string | null | undefined {
  const value = clean[position];
  return value === '' ? null : value;
}

/** text.trim(), without the call for text that starts and ends with printable ASCII. */
function trimmed(text: string): string {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f ? text : text.trim();
}

function validateUdi(
  issues: ImportIssue[],
  line: number,
): { issuer: UdiIssuer | null | undefined; deviceIdentifier: string | null | undefined } {
  const issuerText = clean[at.udi_issuer];
  const deviceIdentifier = clean[at.udi_di];
  let issuer: UdiIssuer | null = null;
  if (issuerText) {
    issuer = parseUdiIssuer(issuerText);
    if (!issuer)
      addIssue(issues, line, 'udi_issuer', `${quoteValue(issuerText)} is not GS1, HIBCC or ICCBBA`);
  }

  if (deviceIdentifier) {
    if (!issuerText) {
      addIssue(
        issues,
        line,
        'udi_issuer',
        'UDI issuer is required when a UDI device identifier is given',
      );
    } else if (issuer === 'GS1' && !isValidGtin(deviceIdentifier)) {
      addIssue(
        issues,
        line,
        'udi_di',
        `${quoteValue(deviceIdentifier)} is not a GTIN (8, 12, 13 or 14 digits with a valid check digit)`,
      );
    } else if (issuer === 'HIBCC' && !/^\+[!-~]+$/.test(deviceIdentifier)) {
      addIssue(
        issues,
        line,
        'udi_di',
        `${quoteValue(deviceIdentifier)} is not a HIBCC identifier (starts with +)`,
      );
    } else if (issuer === 'ICCBBA' && !/^=[!-~]+$/.test(deviceIdentifier)) {
      addIssue(
        issues,
        line,
        'udi_di',
        `${quoteValue(deviceIdentifier)} is not an ICCBBA identifier (starts with =)`,
      );
    }
  } else {
    if (issuerText) {
      addIssue(issues, line, 'udi_issuer', 'UDI issuer is given without a UDI device identifier');
    }
    if (clean[at.udi_pi]) {
      addIssue(issues, line, 'udi_pi', 'a UDI production identifier needs a UDI device identifier');
    }
  }
  return {
    issuer:
      issuerText !== undefined && issuer !== null ? issuer : issuerText === '' ? null : undefined,
    deviceIdentifier: deviceIdentifier === undefined ? undefined : deviceIdentifier || null,
  };
}
