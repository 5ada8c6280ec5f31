import { describe, expect, it } from 'vitest';
import type { StagedImport } from '../../src-preload/contract';
import {
  headerUseCounts,
  initialMapping,
  missingRequiredFields,
  restrictToHeaders,
  withField,
} from './mapping';

const staged: StagedImport = {
  stagingId: 'staging-1',
  fileName: 'cmms-export.csv',
  headers: ['Make', 'Model No', 'Serial', 'Type', 'Tag'],
  rows: 3,
  suggestedMapping: { model: 'Model No', serial_number: 'Serial' },
  matchedMappingName: null,
};

describe('missingRequiredFields', () => {
  it('lists required fields with no header, in a fixed order', () => {
    expect(missingRequiredFields({ model: 'Model No' })).toEqual([
      'manufacturer',
      'serial_number',
      'device_class',
    ]);
  });

  it('is empty once every required field is mapped', () => {
    const mapping = {
      manufacturer: 'Make',
      model: 'Model No',
      serial_number: 'Serial',
      device_class: 'Type',
    };
    expect(missingRequiredFields(mapping)).toEqual([]);
  });
});

describe('restrictToHeaders', () => {
  it('drops fields mapped to headers the file lacks', () => {
    expect(
      restrictToHeaders({ manufacturer: 'Vendor', model: 'Model No' }, staged.headers),
    ).toEqual({
      model: 'Model No',
    });
  });
});

describe('withField', () => {
  it('sets a header and removes it again without touching other fields', () => {
    const set = withField({ model: 'Model No' }, 'asset_tag', 'Tag');
    expect(set).toEqual({ model: 'Model No', asset_tag: 'Tag' });
    expect(withField(set, 'asset_tag', null)).toEqual({ model: 'Model No' });
  });
});

describe('initialMapping', () => {
  it('uses the suggestion when no saved mapping matched', () => {
    expect(initialMapping(staged, [])).toEqual({
      mapping: staged.suggestedMapping,
      savedName: null,
    });
  });

  it('prefers the saved mapping main matched to the file', () => {
    const saved = [{ name: 'CMMS', mapping: { manufacturer: 'Make', device_class: 'Type' } }];
    const result = initialMapping({ ...staged, matchedMappingName: 'CMMS' }, saved);
    expect(result).toEqual({
      mapping: { manufacturer: 'Make', device_class: 'Type' },
      savedName: 'CMMS',
    });
  });

  it('falls back to the suggestion when the matched mapping is no longer saved', () => {
    expect(initialMapping({ ...staged, matchedMappingName: 'Gone' }, []).savedName).toBeNull();
  });
});

describe('headerUseCounts', () => {
  it('counts how many fields each header supplies', () => {
    const counts = headerUseCounts({ asset_tag: 'Tag', hostname: 'Tag', model: 'Model No' });
    expect(counts.get('Tag')).toBe(2);
    expect(counts.get('Model No')).toBe(1);
  });
});
