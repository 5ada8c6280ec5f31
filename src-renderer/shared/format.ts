// Formatting of numbers and optional values for display. Pure; the locale is the window's own.

const countFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatCount(value: number): string {
  return countFormat.format(value);
}

/** "1 device" / "2,345 devices": the noun agrees with the count. */
export function formatQuantity(value: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(value)} ${value === 1 ? singular : plural}`;
}

/** The parts that are present, joined; an empty string when none is. */
export function joinPresent(
  parts: ReadonlyArray<string | null | undefined>,
  separator: string,
): string {
  return parts
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .join(separator);
}

/** Whole percent of `done` over `total`, clamped to 0..100; 0 when the total is unknown. */
export function percentOf(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}
