// The ordered list of schema migrations. Append only: a shipped migration never changes. Numbers
// may skip (5 was never used); the runner applies them in order of `version`.
import type { Migration } from '../migrate';
import * as devices from './0001-devices';
import * as accounts from './0002-accounts';
import * as audit from './0003-audit';
import * as pki from './0004-pki';
import * as network from './0006-network';
import * as provisioning from './0007-provisioning';
import * as searchHash from './0008-search-hash';
import * as filterIndexes from './0009-filter-indexes';

export const migrations: Migration[] = [
  devices,
  accounts,
  audit,
  pki,
  network,
  provisioning,
  searchHash,
  filterIndexes,
];
