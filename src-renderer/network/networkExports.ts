// The files the exports panel offers: the policy for the gear that enforces it (nftables, Cisco
// IOS ACL), the zone × zone matrix, the zones file itself, and the manager's HTML report.
// Invariant: one entry per export format of the contract (a new format fails the build until it is
// listed here), plus the report; every one is a file main makes and the window only saves.
import type { NetworkExportFormat } from '../../src-preload/network/model';
import { networkExportFormats } from '../../src-preload/network/model';

export type NetworkDownload = NetworkExportFormat | 'report-html';

export interface NetworkDownloadEntry {
  id: NetworkDownload;
  label: string;
  /** Who it is for and what it holds, in one line. */
  description: string;
}

const formatEntries: Readonly<Record<NetworkExportFormat, Omit<NetworkDownloadEntry, 'id'>>> = {
  nftables: {
    label: 'nftables ruleset',
    description: 'For a Linux firewall: load with nft -f after review. Default deny between zones.',
  },
  'cisco-acl': {
    label: 'Cisco IOS extended ACL',
    description: 'For routers and layer-3 switches: one access list from the zones and conduits.',
  },
  'matrix-csv': {
    label: 'Zone × zone matrix (CSV)',
    description: 'Which conduits connect each pair of zones, for a spreadsheet or an audit.',
  },
  zones: {
    label: 'Zones file (JSON)',
    description: 'The zones and conduits as a file to keep, compare or import on another console.',
  },
};

const reportEntry: NetworkDownloadEntry = {
  id: 'report-html',
  label: 'Manager report (HTML)',
  description:
    'The map, the matrix, violations by zone and criticality, and changes since the last report: one file that opens in any browser.',
};

/** The report first: it is what a manager comes for. */
export const networkDownloads: readonly NetworkDownloadEntry[] = [
  reportEntry,
  ...networkExportFormats.map((id) => ({ id, ...formatEntries[id] })),
];

export function isPolicyExport(id: NetworkDownload): id is NetworkExportFormat {
  return id !== 'report-html';
}
