import { describe, expect, it } from 'vitest';
import { codeLines, spacedGroups } from './SecretCode';

describe('codeLines', () => {
  it('splits into lines of four groups and keeps the dash between lines', () => {
    const code = 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF';
    expect(codeLines(code)).toEqual(['AAAA-BBBB-CCCC-DDDD-', 'EEEE-FFFF']);
    expect(codeLines(code).join('')).toBe(code);
  });

  it('keeps a short code on one line', () => {
    expect(codeLines('AB12-CD34')).toEqual(['AB12-CD34']);
  });
});

describe('spacedGroups', () => {
  it('groups a base32 secret by four', () => {
    expect(spacedGroups('JBSWY3DPEHPK3PXPQ')).toBe('JBSW Y3DP EHPK 3PXP Q');
  });
});
