import { describe, expect, it } from 'vitest';
import { formatQuantity, joinPresent, percentOf } from './format';

describe('formatQuantity', () => {
  it('uses the singular for exactly one', () => {
    expect(formatQuantity(1, 'device')).toBe('1 device');
  });

  it('uses the plural for zero and many', () => {
    expect(formatQuantity(0, 'device')).toBe('0 devices');
    expect(formatQuantity(3, 'row')).toBe('3 rows');
  });
});

describe('joinPresent', () => {
  it('skips missing and blank parts', () => {
    expect(joinPresent(['North', null, ' ', 'B2', undefined, '3.114'], ' / ')).toBe(
      'North / B2 / 3.114',
    );
    expect(joinPresent([null, null], ' / ')).toBe('');
  });
});

describe('percentOf', () => {
  it('rounds down and clamps to 0..100', () => {
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(5, 4)).toBe(100);
    expect(percentOf(0, 0)).toBe(0);
  });
});
