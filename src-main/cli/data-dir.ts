// Where the CLI finds the store when --data-dir is not given: the same folder Electron uses as
// the app's userData, so the command line and the app share one inventory on a machine.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  switch (platform) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Wardkeep');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Wardkeep');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Wardkeep');
  }
}
