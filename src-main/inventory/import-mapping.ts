// Which source column feeds which canonical field: suggestions from header names, saved mappings
// that fit a file, and resolution of a mapping against a file's headers. A resolved mapping names
// only headers the file has exactly once and covers every required field, or it is refused whole.
import { canonicalFields } from '../../src-preload/contract';
import type { CanonicalField, ColumnMapping, SavedMapping } from '../../src-preload/contract';
import { fail } from '../lib/errors';
import { requiredCanonicalFields } from './device-fields';

// Header spellings seen in CMMS and spreadsheet exports, compared after normalizeHeader.
const headerSynonyms: Record<CanonicalField, readonly string[]> = {
  asset_tag: ['assettag', 'asset', 'assetno', 'assetnumber', 'assetid', 'tag', 'inventorynumber'],
  manufacturer: ['manufacturer', 'manufacturername', 'make', 'vendor', 'mfr', 'mfg', 'brand'],
  model: ['model', 'modelname', 'modelnumber', 'modelno'],
  serial_number: ['serialnumber', 'serialno', 'serial', 'sn', 'serialnum'],
  udi_di: ['udidi', 'udi', 'deviceidentifier', 'di', 'gtin'],
  udi_pi: ['udipi', 'productionidentifier', 'pi'],
  udi_issuer: ['udiissuer', 'issuer', 'issuingagency'],
  device_class: ['deviceclass', 'class', 'devicetype', 'type', 'category', 'equipmenttype'],
  criticality: ['criticality', 'risk', 'risklevel', 'riskclass'],
  site: ['site', 'campus', 'facility', 'hospital'],
  building: ['building', 'bldg'],
  floor: ['floor', 'level'],
  room: ['room', 'roomnumber', 'roomno'],
  bed: ['bed', 'bednumber', 'bay'],
  department: ['department', 'dept', 'ward', 'unit'],
  mac_address: ['macaddress', 'mac'],
  ip_address: ['ipaddress', 'ip', 'ipv4', 'ipv4address', 'ipv6', 'ipv6address'],
  hostname: ['hostname', 'host', 'dnsname', 'networkname'],
  firmware_version: ['firmwareversion', 'firmware', 'fw', 'fwversion', 'softwareversion'],
  lifecycle_state: ['lifecyclestate', 'lifecycle', 'status', 'state'],
  end_of_life: ['endoflife', 'eol', 'eoldate', 'endoflifedate', 'endofsupport'],
  notes: ['notes', 'note', 'comments', 'comment', 'remarks'],
};

/** `Serial No.` → `serialno`, `S/N` → `sn`, `Asset #` → `asset`. */
export function normalizeHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Suggests a mapping from the file's headers: exact canonical names first (case-insensitively),
 * then synonyms in the order listed. Each header feeds at most one field.
 */
export function suggestMapping(headers: readonly string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  const used = new Set<number>();
  const claim = (field: CanonicalField, index: number): void => {
    const header = headers[index];
    if (header === undefined || used.has(index) || mapping[field] !== undefined) return;
    if (headers.indexOf(header) !== headers.lastIndexOf(header)) return;
    mapping[field] = header;
    used.add(index);
  };
  headers.forEach((header, index) => {
    const exact = canonicalFields.find((field) => field === header.trim().toLowerCase());
    if (exact) claim(exact, index);
  });
  const normalized = headers.map(normalizeHeader);
  for (const field of canonicalFields) {
    for (const synonym of headerSynonyms[field]) {
      const index = normalized.findIndex((name, at) => name === synonym && !used.has(at));
      if (index >= 0) {
        claim(field, index);
        break;
      }
    }
  }
  return mapping;
}

/** The saved mapping whose headers all appear in the file; the widest wins, then by name. */
export function findMatchingMapping(
  headers: readonly string[],
  saved: readonly SavedMapping[],
): string | null {
  const present = new Set(headers);
  let best: { name: string; size: number } | null = null;
  for (const { name, mapping } of saved) {
    const sourceHeaders = Object.values(mapping);
    if (sourceHeaders.length === 0 || !sourceHeaders.every((header) => present.has(header))) {
      continue;
    }
    if (best === null || sourceHeaders.length > best.size)
      best = { name, size: sourceHeaders.length };
  }
  return best?.name ?? null;
}

/** A mapping checked against one file: each mapped field with the index of its column. */
export type ResolvedMapping = ReadonlyArray<{ field: CanonicalField; column: number }>;

export interface MappingProblem {
  field: CanonicalField | null;
  reason: string;
}

/**
 * Checks a mapping against the file's headers. Throws `import.mapping` listing every problem: a
 * header the file lacks or has twice, a required field left unmapped, or UDI columns mapped
 * without both the device identifier and its issuer (which are only meaningful together).
 */
export function resolveMapping(
  headers: readonly string[],
  mapping: ColumnMapping,
): ResolvedMapping {
  const problems: MappingProblem[] = [];
  const resolved: Array<{ field: CanonicalField; column: number }> = [];
  for (const field of canonicalFields) {
    const header = mapping[field];
    if (header === undefined) continue;
    const column = headers.indexOf(header);
    if (column < 0) {
      problems.push({
        field,
        reason: `${field} is mapped to "${header}", which the file does not have`,
      });
    } else if (headers.lastIndexOf(header) !== column) {
      problems.push({
        field,
        reason: `${field} is mapped to "${header}", which the file has twice`,
      });
    } else {
      resolved.push({ field, column });
    }
  }
  for (const field of requiredCanonicalFields) {
    if (mapping[field] === undefined)
      problems.push({ field, reason: `${field} is required but not mapped` });
  }
  const udiMapped = (['udi_di', 'udi_issuer', 'udi_pi'] as const).filter(
    (field) => mapping[field] !== undefined,
  );
  if (udiMapped.length > 0 && (mapping.udi_di === undefined || mapping.udi_issuer === undefined)) {
    problems.push({ field: null, reason: 'udi_di and udi_issuer must be mapped together' });
  }
  if (problems.length > 0) {
    fail('import.mapping', problems.map((problem) => problem.reason).join('; '), { problems });
  }
  return resolved;
}
