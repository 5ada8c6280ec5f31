import { describe, expect, it } from 'vitest';
import { networkExportFormats } from '../../src-preload/network/model';
import { isPolicyExport, networkDownloads } from './networkExports';

describe('networkDownloads', () => {
  it('offers the manager report first, then every policy export format once', () => {
    expect(networkDownloads.map((entry) => entry.id)).toEqual([
      'report-html',
      ...networkExportFormats,
    ]);
    for (const entry of networkDownloads) {
      expect(entry.label).not.toBe('');
      expect(entry.description).not.toBe('');
    }
  });

  it('tells the report apart from the policy exports', () => {
    expect(isPolicyExport('report-html')).toBe(false);
    expect(networkExportFormats.every((format) => isPolicyExport(format))).toBe(true);
  });
});
