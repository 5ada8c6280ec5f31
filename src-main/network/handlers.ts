// IPC handlers for the network domain: thin adapters from the contract to the network service of
// the open store. Every change runs with its audit record in one transaction (a change that fails,
// such as a policy.conflict, leaves neither), and names the signed-in user as who made it.
import type { ParsedRequestOf } from '../../src-preload/contract';
import type { NetworkExportFormat } from '../../src-preload/network/model';
import type { HandlerContext, HandlerGroup } from '../ipc/handlers';
import { requireSession } from '../ipc/handlers';
import type { AppServices } from '../services';
import { canonicalIpAddress } from './addresses';
import { renderReportHtml, reportHeaderHeight, reportMapScale } from './report-html';
import type { PolicyVersionRecord } from './repository';

type NetworkChannel =
  | 'network:policy'
  | 'network:versions'
  | 'network:changes'
  | 'network:map'
  | 'network:findings'
  | 'network:what-if'
  | 'network:unknown'
  | 'network:report'
  | 'network:report-html'
  | 'network:export'
  | 'network:import-zones'
  | 'network:apply'
  | 'network:revert'
  | 'network:assign'
  | 'flows:import'
  | 'network:unknown-state';

/** The audit action of a manager's HTML report: its policy version is where the next one starts. */
export const reportAuditAction = 'network.report';

/**
 * The report's layout: wider zone margins than the app's map, for the zone titles of a static
 * picture, and a zone drawn as one disc only past 1,000 nodes (the app clusters at 150).
 */
const reportLayout = { clusterThreshold: 1000, zonePadding: 40 } as const;

const exportFiles: Readonly<
  Record<NetworkExportFormat, { suffix: string; mimeType: string; what: string }>
> = {
  nftables: { suffix: 'nft', mimeType: 'text/plain', what: 'policy' },
  'cisco-acl': { suffix: 'ios.txt', mimeType: 'text/plain', what: 'policy' },
  'matrix-csv': { suffix: 'matrix.csv', mimeType: 'text/csv', what: 'policy' },
  zones: { suffix: 'json', mimeType: 'application/json', what: 'zones' },
};

function day(services: AppServices): string {
  return new Date(services.clock.nowMs()).toISOString().slice(0, 10);
}

/** Who changes the policy and why: the signed-in user, never a name the request carries. */
function meta(
  context: HandlerContext,
  request: { reason: string; baseVersion?: number | undefined },
): { actor: string; reason: string; baseVersion?: number } {
  const session = requireSession(context);
  return {
    actor: session.username,
    reason: request.reason,
    ...(request.baseVersion === undefined ? {} : { baseVersion: request.baseVersion }),
  };
}

function versionDetails(record: PolicyVersionRecord) {
  return { version: record.version, kind: record.kind, changeCount: record.changeCount };
}

/** The policy version of the last HTML report, or 0 when there was none. */
export function lastReportVersion(services: AppServices): number {
  const [last] = services
    .audit()
    .list({ action: reportAuditAction, outcome: 'success', descending: true, limit: 1 }).records;
  const version = last?.details.policyVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 0 ? version : 0;
}

function draftDetails(draft: ParsedRequestOf<'network:apply'>['draft']) {
  return {
    moves: draft.moves.length,
    zonesAdded: draft.addZones.length,
    zonesUpdated: draft.updateZones.length,
    zonesRemoved: draft.removeZones.length,
    conduitsAdded: draft.addConduits.length,
    conduitsUpdated: draft.updateConduits.length,
    conduitsRemoved: draft.removeConduits.length,
  };
}

export const networkHandlers: HandlerGroup<NetworkChannel> = {
  'network:policy': (_request, { services }) => services.network().current(),
  'network:versions': (_request, { services }) => services.network().versions(),
  'network:changes': ({ sinceVersion }, { services }) =>
    services.network().changesSince(sinceVersion),
  'network:map': ({ clusterThreshold }, { services }) =>
    services.network().map(clusterThreshold === undefined ? {} : { clusterThreshold }),
  'network:findings': ({ include, limit }, { services }) =>
    services.network().check({ ...(include ? { include } : {}), limit }),
  'network:what-if': ({ draft }, { services }) => services.network().whatIf(draft),
  'network:unknown': (_request, { services }) => services.network().unknownDevices(),
  'network:report': ({ sinceVersion }, { services }) =>
    services.network().report(sinceVersion ?? lastReportVersion(services)),
  'network:report-html': ({ sinceVersion }, { services }) => {
    const network = services.network();
    const from = sinceVersion ?? lastReportVersion(services);
    const report = network.report(from);
    let map = network.map(reportLayout);
    const scale = reportMapScale(map);
    if (scale > 1) {
      map = network.map({ ...reportLayout, headerHeight: Math.ceil(reportHeaderHeight * scale) });
    }
    const content = renderReportHtml({ report, map });
    const counts = report.flows.byVerdict;
    services.record({
      action: reportAuditAction,
      target: `policy v${report.policyVersion}`,
      details: {
        policyVersion: report.policyVersion,
        sinceVersion: from,
        flows: report.flows.total,
        violations: counts.violation,
        insecure: counts.insecure,
        changedVersions: report.changesSince.versions.length,
      },
    });
    return {
      fileName: `wardkeep-network-report-v${report.policyVersion}-${day(services)}.html`,
      mimeType: 'text/html',
      content,
    };
  },
  'network:export': ({ format }, { services }) => {
    const { version, content } = services.network().exportPolicy(format);
    const file = exportFiles[format];
    services.record({
      action: 'network.export',
      target: `policy v${version}`,
      details: { format, policyVersion: version, bytes: Buffer.byteLength(content, 'utf8') },
    });
    return {
      fileName: `wardkeep-${file.what}-v${version}-${day(services)}.${file.suffix}`,
      mimeType: file.mimeType,
      content,
    };
  },
  'network:import-zones': (request, context) =>
    context.services.audited(
      (record: PolicyVersionRecord) => {
        const policy = context.services.network().current().policy;
        return {
          action: 'policy.import',
          target: `policy v${record.version}`,
          reason: record.reason,
          details: {
            ...versionDetails(record),
            zones: policy.zones.length,
            conduits: policy.conduits.length,
          },
        };
      },
      () => context.services.network().importPolicyFile(request.content, meta(context, request)),
    ),
  'network:apply': (request, context) =>
    context.services.audited(
      (record: PolicyVersionRecord) => ({
        action: 'policy.change',
        target: `policy v${record.version}`,
        reason: record.reason,
        details: {
          ...versionDetails(record),
          ...(request.baseVersion === undefined ? {} : { baseVersion: request.baseVersion }),
          ...draftDetails(request.draft),
        },
      }),
      () => context.services.network().applyDraft(request.draft, meta(context, request)),
    ),
  'network:revert': (request, context) =>
    context.services.audited(
      (record: PolicyVersionRecord) => ({
        action: 'policy.revert',
        target: `policy v${record.version}`,
        reason: record.reason,
        details: { ...versionDetails(record), revertedTo: request.version },
      }),
      () => context.services.network().revert(request.version, meta(context, request)),
    ),
  'network:assign': (request, context) =>
    context.services.audited(
      (record: PolicyVersionRecord) => ({
        action: 'policy.assign',
        target: request.deviceUid,
        reason: record.reason,
        details: { ...versionDetails(record), zoneId: request.zoneId },
      }),
      () =>
        context.services
          .network()
          .assignDevice(request.deviceUid, request.zoneId, meta(context, request)),
    ),
  'flows:import': ({ fileName, content, importValidLines, format }, context) => {
    const session = requireSession(context);
    return context.services.audited(
      (report) => ({
        action: 'flows.import',
        target: fileName,
        outcome: report.committed ? 'success' : 'failure',
        reason: report.committed
          ? null
          : report.rejectedLines > 0 && !importValidLines
            ? `${report.rejectedLines} invalid line(s): nothing imported`
            : 'no valid connection record: nothing imported',
        details: {
          format: report.format,
          committed: report.committed,
          importValidLines,
          recordLines: report.recordLines,
          rejectedLines: report.rejectedLines,
          connections: report.connections,
          flows: report.flows,
          unknownAddresses: report.unknownAddresses,
        },
      }),
      () =>
        context.services.network().importFlows(fileName, content, {
          actor: session.username,
          importValidLines,
          ...(format === undefined ? {} : { format }),
        }),
    );
  },
  'network:unknown-state': ({ address, state }, { services }) => {
    services.audited(
      {
        action: 'network.triage',
        target: canonicalIpAddress(address) ?? address,
        details: { state },
      },
      () => services.network().setUnknownDeviceState(address, state),
    );
    return {};
  },
};
