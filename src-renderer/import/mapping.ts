// Column mapping of a staged CSV: which of the file's headers supplies each canonical field.
// Invariant: a mapping offered to the user names only headers present in the file, so a saved
// mapping from another export never points at a column this file lacks.
import { canonicalFields } from '../../src-preload/contract';
import type {
  CanonicalField,
  ColumnMapping,
  SavedMapping,
  StagedImport,
} from '../../src-preload/contract';

/** The fields a device record cannot be made without. */
export const requiredFields = [
  'manufacturer',
  'model',
  'serial_number',
  'device_class',
] as const satisfies readonly CanonicalField[];

const requiredSet: ReadonlySet<CanonicalField> = new Set(requiredFields);

export function isRequiredField(field: CanonicalField): boolean {
  return requiredSet.has(field);
}

export function missingRequiredFields(mapping: ColumnMapping): CanonicalField[] {
  return requiredFields.filter((field) => mapping[field] === undefined || mapping[field] === '');
}

/** The mapping without entries whose header the file does not have, in canonical order. */
export function restrictToHeaders(
  mapping: ColumnMapping,
  headers: readonly string[],
): ColumnMapping {
  const present = new Set(headers);
  const restricted: ColumnMapping = {};
  for (const field of canonicalFields) {
    const header = mapping[field];
    if (header !== undefined && present.has(header)) restricted[field] = header;
  }
  return restricted;
}

export function withField(
  mapping: ColumnMapping,
  field: CanonicalField,
  header: string | null,
): ColumnMapping {
  const next: ColumnMapping = { ...mapping };
  if (header === null || header === '') delete next[field];
  else next[field] = header;
  return next;
}

export interface InitialMapping {
  mapping: ColumnMapping;
  /** The saved mapping it came from, or null for the one suggested from the headers. */
  savedName: string | null;
}

/** The saved mapping main matched to this file when there is one, else main's suggestion. */
export function initialMapping(
  staged: StagedImport,
  saved: readonly SavedMapping[],
): InitialMapping {
  const matched = saved.find((entry) => entry.name === staged.matchedMappingName);
  if (matched)
    return { mapping: restrictToHeaders(matched.mapping, staged.headers), savedName: matched.name };
  return { mapping: restrictToHeaders(staged.suggestedMapping, staged.headers), savedName: null };
}

/** How many fields a header of the file supplies; more than one is allowed but worth showing. */
export function headerUseCounts(mapping: ColumnMapping): Map<string, number> {
  const counts = new Map<string, number>();
  for (const header of Object.values(mapping)) {
    if (header !== undefined) counts.set(header, (counts.get(header) ?? 0) + 1);
  }
  return counts;
}
