// The network commands of `wardkeep`: zones, observed flows, the policy check and exports, and the
// manager's HTML report — each one call through the same IPC channels the app uses, so permissions,
// step-up and the audit trail are the app's. `policy check` exits 1 while any finding remains.
import { basename } from 'node:path';
import type { Channel, RequestOf, Result, ResultOf } from '../../src-preload/contract';
import type { FlowFileFormat } from '../../src-preload/network/model';
import { compareZones } from '../../src-preload/network/model';
import type { IpcRegistry } from '../ipc/registry';
import { detectFlowFormat } from '../network/flows';
import type { CliIo, ParsedArguments } from './arguments';
import {
  CliError,
  deliverOutput,
  enumOption,
  exitCodes,
  expectArguments,
  integerOption,
  json,
  option,
  readInputFile,
  table,
} from './arguments';
import { clientId, errorExitCode, signIn } from './sign-in';

/** The lines `wardkeep help` shows for these commands. */
export const networkUsage = `  zone list [--json]          the zones of the current network policy (engineer, manager)
  zone import FILE --comment TEXT [--json]
                              replaces zones and conduits with a zones file's, as a new policy
                              version recording who and why (engineer); a file with problems
                              changes nothing, and each problem is listed with its JSON path
  zone export [--out FILE]    the current policy as a zones file (it imports back unchanged)
  flows import FILE [--format zeek|csv] [--skip-invalid] [--json]
                              observed connections from a Zeek conn.log (TSV or JSON lines;
                              zeek-tsv or zeek-json names one) or a CSV, detected when --format is
                              left out (engineer); all-or-nothing unless --skip-invalid; invalid
                              lines are listed with their numbers (exit 2 when nothing was written)
  policy check [--limit N] [--json]
                              violations and insecure flows, worst clinical risk first (engineer,
                              manager); exit 1 when there is any, 0 when there is none
  policy export --format nftables|cisco-acl|matrix-csv [--out FILE]
                              the policy for a Linux firewall (nft -f), Cisco IOS access lists,
                              or the zone × zone matrix as CSV (engineer, manager)
  report [--out FILE] [--since N]
                              the manager's report as one self-contained HTML file: the map, the
                              zone matrix, findings by zone and clinical risk, and the policy
                              changes since the previous report's version (or version N)`;

const flowFormatChoices = ['zeek', 'zeek-tsv', 'zeek-json', 'csv'] as const;
const policyExportFormats = ['nftables', 'cisco-acl', 'matrix-csv'] as const;

/** At most this many findings are asked for; the summary still counts them all. */
const maximumFindings = 100_000;

interface Issue {
  path?: unknown;
  line?: unknown;
  field?: unknown;
  message?: unknown;
}

/**
 * One channel call that, when refused, first lists every issue the refusal carries (a zones file's
 * JSON paths, a flow file's lines) on stderr, where the one-line error alone would name only one.
 */
async function callListingIssues<C extends Channel>(
  registry: IpcRegistry,
  channel: C,
  request: RequestOf<C>,
  io: CliIo,
  where: string,
): Promise<ResultOf<C>> {
  const result = (await registry.dispatch(clientId, channel, request)) as Result<ResultOf<C>>;
  if (result.ok) return result.value;
  const details = result.error.details as { issues?: unknown } | undefined;
  if (details && Array.isArray(details.issues)) {
    for (const issue of details.issues as Issue[]) {
      const at =
        typeof issue.path === 'string'
          ? issue.path
          : typeof issue.line === 'number'
            ? `line ${issue.line}${typeof issue.field === 'string' ? `, ${issue.field}` : ''}`
            : null;
      io.stderr(`${where}${at === null ? '' : `: ${at}`}: ${String(issue.message)}\n`);
    }
  }
  throw new CliError(
    `${result.error.message} [${result.error.code}]`,
    errorExitCode(result.error.code),
  );
}

async function call<C extends Channel>(
  registry: IpcRegistry,
  channel: C,
  request: RequestOf<C>,
  io: CliIo,
): Promise<ResultOf<C>> {
  return callListingIssues(registry, channel, request, io, channel);
}

function requireComment(parsed: ParsedArguments, command: string): string {
  const comment = option(parsed, 'comment');
  if (!comment?.trim())
    throw new CliError(
      `${command} needs --comment TEXT: why the policy changes (recorded with the new version)`,
      exitCodes.invalidInput,
    );
  return comment;
}

export async function zoneCommand(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'list': {
      expectArguments('zone list', rest, []);
      await signIn(registry, parsed, io, { forChannel: 'network:policy' });
      const current = await call(registry, 'network:policy', {}, io);
      if (json(parsed)) {
        io.stdout(`${JSON.stringify(current)}\n`);
        return exitCodes.ok;
      }
      const { zones, conduits } = current.policy;
      io.stdout(
        `Network policy version ${current.version}: ${zones.length} zones, ${conduits.length} conduits, ${Object.keys(current.assignments).length} devices assigned by hand.\n`,
      );
      table(
        io,
        ['id', 'name', 'tier', 'clinical', 'isolate', 'vlans', 'subnets'],
        // Most critical first, as the map and the exports order them.
        [...zones]
          .sort(compareZones)
          .map((zone) => [
            zone.id,
            zone.name,
            zone.tier,
            zone.clinical ? 'yes' : 'no',
            zone.isolate ? 'yes' : 'no',
            zone.vlans.map((vlan) => String(vlan.id)).join(',') || '-',
            zone.subnets.join(' ') || '-',
          ]),
      );
      return exitCodes.ok;
    }
    case 'import': {
      const [path] = expectArguments('zone import', rest, ['FILE']);
      const reason = requireComment(parsed, 'zone import');
      const content = readInputFile(path!);
      await signIn(registry, parsed, io, { forChannel: 'network:import-zones' });
      const version = await callListingIssues(
        registry,
        'network:import-zones',
        { content, reason },
        io,
        basename(path!),
      );
      if (json(parsed)) io.stdout(`${JSON.stringify(version)}\n`);
      else
        io.stdout(
          `${basename(path!)}: policy version ${version.version} by ${version.actor}, ${version.changeCount} change${version.changeCount === 1 ? '' : 's'} (zones, conduits and assignments created, updated or deleted).\n`,
        );
      return exitCodes.ok;
    }
    case 'export': {
      expectArguments('zone export', rest, []);
      await signIn(registry, parsed, io, { forChannel: 'network:export' });
      const exported = await call(registry, 'network:export', { format: 'zones' }, io);
      deliverOutput(parsed, io, exported.content);
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown zone command ${JSON.stringify(subcommand ?? '')}: use list, import or export`,
        exitCodes.invalidInput,
      );
  }
}

/** `zeek` means whichever Zeek log the file is: JSON lines or TSV. */
function flowFormat(choice: (typeof flowFormatChoices)[number], content: string): FlowFileFormat {
  if (choice !== 'zeek') return choice;
  return detectFlowFormat(content) === 'zeek-json' ? 'zeek-json' : 'zeek-tsv';
}

export async function flowsCommand(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  if (subcommand !== 'import')
    throw new CliError(
      `unknown flows command ${JSON.stringify(subcommand ?? '')}: use import`,
      exitCodes.invalidInput,
    );
  const [path] = expectArguments('flows import', rest, ['FILE']);
  const choice = enumOption(parsed, 'format', flowFormatChoices);
  const content = readInputFile(path!);
  const fileName = basename(path!);
  await signIn(registry, parsed, io, { forChannel: 'flows:import' });
  const report = await callListingIssues(
    registry,
    'flows:import',
    {
      fileName,
      content,
      importValidLines: parsed.options.has('skip-invalid'),
      ...(choice === undefined ? {} : { format: flowFormat(choice, content) }),
    },
    io,
    fileName,
  );
  if (json(parsed)) {
    io.stdout(`${JSON.stringify(report)}\n`);
  } else {
    const lines = [
      `${fileName} (${report.format}): ${report.recordLines} record lines, ${report.rejectedLines} invalid; ${report.connections} connections in ${report.flows} flows; ${report.unknownAddresses} addresses no device has${report.committed ? '' : ' — nothing written'}`,
    ];
    for (const issue of report.issues) {
      lines.push(`  line ${issue.line}${issue.field ? `, ${issue.field}` : ''}: ${issue.message}`);
    }
    const unlisted = report.rejectedLines - report.issues.length;
    if (unlisted > 0) lines.push(`  … and ${unlisted} more invalid lines`);
    if (!report.committed && report.rejectedLines > 0 && !parsed.options.has('skip-invalid'))
      lines.push('Fix these lines, or import the valid ones with --skip-invalid.');
    io.stdout(`${lines.join('\n')}\n`);
  }
  return report.committed ? exitCodes.ok : exitCodes.invalidInput;
}

export async function policyCommand(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'check': {
      expectArguments('policy check', rest, []);
      const limit = integerOption(parsed, 'limit') ?? maximumFindings;
      if (limit < 1 || limit > maximumFindings)
        throw new CliError(
          `--limit must be 1 to ${maximumFindings} (got ${limit})`,
          exitCodes.invalidInput,
        );
      await signIn(registry, parsed, io, { forChannel: 'network:findings' });
      const summary = await call(registry, 'network:findings', { limit }, io);
      const { counts } = summary;
      if (json(parsed)) {
        io.stdout(`${JSON.stringify(summary)}\n`);
      } else {
        const flows = counts.allowed + counts.monitored + counts.violation + counts.insecure;
        io.stdout(
          `Policy version ${summary.version}: ${counts.violation} violations and ${counts.insecure} insecure flows among ${flows} observed flows (${counts.allowed} allowed, ${counts.monitored} monitored).\n`,
        );
        if (summary.total > 0) {
          table(
            io,
            [
              'risk',
              'verdict',
              'why',
              'source',
              'source_zone',
              'destination',
              'destination_zone',
              'service',
              'connections',
              'conduit',
            ],
            summary.findings.map(({ flow, verdict }) => [
              verdict.risk,
              verdict.verdict,
              verdict.cleartext ?? verdict.reason,
              flow.source,
              verdict.sourceZoneId,
              flow.destination,
              verdict.destinationZoneId,
              `${flow.protocol}/${flow.port}`,
              String(flow.count),
              verdict.conduitId ?? '-',
            ]),
          );
          const unlisted = summary.total - summary.findings.length;
          if (unlisted > 0) io.stdout(`… and ${unlisted} more (raise --limit to list them)\n`);
        }
      }
      return summary.total > 0 ? exitCodes.error : exitCodes.ok;
    }
    case 'export': {
      expectArguments('policy export', rest, []);
      const format = enumOption(parsed, 'format', policyExportFormats);
      if (!format)
        throw new CliError(
          `policy export needs --format ${policyExportFormats.join('|')}`,
          exitCodes.invalidInput,
        );
      await signIn(registry, parsed, io, { forChannel: 'network:export' });
      const exported = await call(registry, 'network:export', { format }, io);
      deliverOutput(parsed, io, exported.content);
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown policy command ${JSON.stringify(subcommand ?? '')}: use check or export`,
        exitCodes.invalidInput,
      );
  }
}

export async function reportCommand(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  rest: string[],
): Promise<number> {
  expectArguments('report', rest, []);
  const since = integerOption(parsed, 'since');
  await signIn(registry, parsed, io, { forChannel: 'network:report-html' });
  const exported = await call(
    registry,
    'network:report-html',
    since === undefined ? {} : { sinceVersion: since },
    io,
  );
  deliverOutput(parsed, io, exported.content);
  return exitCodes.ok;
}
