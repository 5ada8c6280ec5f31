import { describe, expect, it } from 'vitest';
import { DeviceQuery } from '../../src-preload/contract';
import {
  buildDeviceQuery,
  defaultSort,
  filtersActive,
  nextSort,
  noFilters,
  sameFilters,
} from './deviceQuery';

describe('buildDeviceQuery', () => {
  it('leaves out filters that are not set', () => {
    expect(buildDeviceQuery(noFilters, defaultSort, 0, 200)).toEqual({
      sort: 'assetTag',
      descending: false,
      offset: 0,
      limit: 200,
    });
  });

  it('trims the search text and drops it when blank', () => {
    expect(buildDeviceQuery({ ...noFilters, text: '  icu ' }, defaultSort, 0, 10).text).toBe('icu');
    expect(buildDeviceQuery({ ...noFilters, text: '   ' }, defaultSort, 0, 10)).not.toHaveProperty(
      'text',
    );
  });

  it('makes requests the contract schema accepts, even for overlong search text', () => {
    const query = buildDeviceQuery(
      {
        text: 'x'.repeat(500),
        deviceClass: 'ventilator',
        criticality: 'life_sustaining',
        site: 'North',
        building: 'B2',
        lifecycleState: 'in_service',
      },
      { field: 'criticality', descending: true },
      400,
      200,
    );
    expect(DeviceQuery.safeParse(query).success).toBe(true);
  });
});

describe('filtersActive', () => {
  it('is false with no filter and true with any one', () => {
    expect(filtersActive(noFilters)).toBe(false);
    expect(filtersActive({ ...noFilters, building: 'B2' })).toBe(true);
  });
});

describe('nextSort', () => {
  it('reverses the current column and starts another ascending', () => {
    expect(nextSort(defaultSort, 'assetTag')).toEqual({ field: 'assetTag', descending: true });
    expect(nextSort({ field: 'assetTag', descending: true }, 'model')).toEqual({
      field: 'model',
      descending: false,
    });
  });
});

describe('sameFilters', () => {
  it('treats filters that send the same request as the same question', () => {
    expect(sameFilters(noFilters, { ...noFilters })).toBe(true);
    expect(sameFilters({ ...noFilters, text: 'icu' }, { ...noFilters, text: ' icu ' })).toBe(true);
    expect(sameFilters({ ...noFilters, text: '   ' }, noFilters)).toBe(true);
  });

  it('tells apart filters that ask something different', () => {
    expect(sameFilters({ ...noFilters, text: 'icu' }, { ...noFilters, text: 'icu2' })).toBe(false);
    expect(sameFilters({ ...noFilters, site: 'North' }, noFilters)).toBe(false);
    expect(
      sameFilters(
        { ...noFilters, deviceClass: 'ventilator' },
        { ...noFilters, deviceClass: 'infusion_pump' },
      ),
    ).toBe(false);
  });
});
