// Which build of better-sqlite3's native module the Electron app loads. node_modules holds the
// Node build (tests, CLI); Electron needs its own ABI, built by `node scripts/native.mjs
// electron` into .electron-native/ and shipped by the packager as resources/native/.
// Invariant: the app never falls back to the Node build silently — no path means "say so".
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const nativeModuleFileName = 'better_sqlite3.node';
/** Where scripts/native.mjs writes the Electron build, relative to the project root. */
export const developmentNativeFolder = '.electron-native';
/** Where the packager copies it, relative to process.resourcesPath. */
export const packagedNativeFolder = 'native';

export interface NativeBindingLocation {
  isPackaged: boolean;
  /** process.resourcesPath: the packaged app's resources folder. */
  resourcesPath: string;
  /** The project root in development (app.getAppPath() there). */
  projectRoot: string;
  exists?: (path: string) => boolean;
}

/**
 * The Electron build's path: always the packaged copy in a packaged app (a missing file then
 * fails loudly on open); in development the rebuild when present, otherwise undefined.
 */
export function electronNativeBindingPath(location: NativeBindingLocation): string | undefined {
  if (location.isPackaged)
    return join(location.resourcesPath, packagedNativeFolder, nativeModuleFileName);
  const exists = location.exists ?? existsSync;
  const candidate = join(location.projectRoot, developmentNativeFolder, nativeModuleFileName);
  return exists(candidate) ? candidate : undefined;
}
