// The ordered list of schema migrations. Append only: a shipped migration never changes.
import type { Migration } from '../migrate';
import * as devices from './0001-devices';
import * as accounts from './0002-accounts';

export const migrations: Migration[] = [devices, accounts];
