import { describe, expect, it } from 'vitest';
import { create } from 'qrcode';
import { darkRuns } from './qrRuns';

describe('darkRuns', () => {
  it('merges neighbouring dark modules of a row into one run', () => {
    const grid = ['##.#', '....', '.###', '#...'];
    const runs = darkRuns(4, (row, column) => grid[row]?.charAt(column) === '#');
    expect(runs).toEqual([
      { row: 0, column: 0, length: 2 },
      { row: 0, column: 3, length: 1 },
      { row: 2, column: 1, length: 3 },
      { row: 3, column: 0, length: 1 },
    ]);
  });

  it('covers exactly the dark modules of a real otpauth QR code', () => {
    const { modules } = create(
      'otpauth://totp/Wardkeep:ana?secret=JBSWY3DPEHPK3PXP&issuer=Wardkeep',
    );
    const dark = (row: number, column: number) => modules.get(row, column) === 1;
    const covered = new Set<string>();
    for (const run of darkRuns(modules.size, dark)) {
      for (let offset = 0; offset < run.length; offset += 1)
        covered.add(`${run.row},${run.column + offset}`);
    }
    let expected = 0;
    for (let row = 0; row < modules.size; row += 1) {
      for (let column = 0; column < modules.size; column += 1) {
        if (dark(row, column)) {
          expected += 1;
          expect(covered.has(`${row},${column}`)).toBe(true);
        }
      }
    }
    expect(covered.size).toBe(expected);
  });
});
