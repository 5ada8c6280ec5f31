// The dark modules of a QR symbol as horizontal runs, so the SVG draws one rectangle per run
// instead of one per module. Pure. Invariant: the runs cover exactly the dark modules.

export interface Run {
  row: number;
  column: number;
  length: number;
}

/** Dark modules merged into horizontal runs: one rectangle per run instead of per module. */
export function darkRuns(size: number, isDark: (row: number, column: number) => boolean): Run[] {
  const runs: Run[] = [];
  for (let row = 0; row < size; row += 1) {
    let column = 0;
    while (column < size) {
      if (!isDark(row, column)) {
        column += 1;
        continue;
      }
      const start = column;
      while (column < size && isDark(row, column)) column += 1;
      runs.push({ row, column: start, length: column - start });
    }
  }
  return runs;
}
