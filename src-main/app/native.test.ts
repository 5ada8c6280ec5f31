// Which native module build the Electron app is pointed at, packaged and in development.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronNativeBindingPath } from './native';

describe('electronNativeBindingPath', () => {
  it('uses the copy in the packaged resources folder', () => {
    expect(
      electronNativeBindingPath({
        isPackaged: true,
        resourcesPath: '/opt/Wardkeep/resources',
        projectRoot: '/ignored',
        exists: () => false,
      }),
    ).toBe(join('/opt/Wardkeep/resources', 'native', 'better_sqlite3.node'));
  });

  it('uses the project rebuild in development when it exists', () => {
    const expected = join('/src/wardkeep', '.electron-native', 'better_sqlite3.node');
    expect(
      electronNativeBindingPath({
        isPackaged: false,
        resourcesPath: '/unused',
        projectRoot: '/src/wardkeep',
        exists: (path) => path === expected,
      }),
    ).toBe(expected);
  });

  it('gives no path in development when the rebuild is missing', () => {
    expect(
      electronNativeBindingPath({
        isPackaged: false,
        resourcesPath: '/unused',
        projectRoot: '/src/wardkeep',
        exists: () => false,
      }),
    ).toBeUndefined();
  });
});
