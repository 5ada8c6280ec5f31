// The `wardkeep` command line: one more client of the same IPC registry the app uses, so every
// schema, session and permission rule applies unchanged. Secrets come from a file or a prompt,
// never argv or the environment. Exit codes: 0 ok, 1 error, 2 invalid input.
import { readFileSync, statSync } from 'node:fs';
import { decodeUtf8 } from '../inventory/csv';
import { writeFileAtomic } from '../lib/files';
import { basename, resolve } from 'node:path';
import type {
  Channel,
  ImportReport,
  RequestOf,
  Result,
  ResultOf,
} from '../../src-preload/contract';
import { criticalities, deviceClasses, lifecycleStates } from '../../src-preload/contract';
import type { IpcRegistry } from '../ipc/registry';
import { createIpcRegistry } from '../ipc/registry';
import type { AppServices, AppServicesOptions } from '../services';
import { createAppServices } from '../services';
import { defaultDataDir } from './data-dir';
import { generateDemoHospital } from '../inventory/demo';
import { canonicalCsv } from '../inventory/demo-csv';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Asks for a secret without echo; undefined when there is no terminal to ask on. */
  promptSecret?: (question: string) => Promise<string>;
}

export interface CliOptions {
  /** Test seam: clock, ids, KDF cost. */
  services?: Partial<AppServicesOptions>;
}

export const exitCodes = { ok: 0, error: 1, invalidInput: 2 } as const;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const usage = `Usage: wardkeep [--data-dir DIR] [--user NAME --password-file FILE] <command>

Commands:
  init                                  create the encrypted store and its first administrator
                                        (--user, --password-file); prints the recovery code once
  device import FILE [--skip-invalid] [--mapping NAME] [--json]
  device list [--query TEXT] [--class C] [--criticality C] [--site S] [--lifecycle L]
              [--offset N] [--limit N] [--json]
  device export --format csv|fhir [--out FILE]
  demo                                  fill the store with a synthetic hospital (~2,500 devices)
  recover --recovery-file FILE --new-password-file FILE
                                        set a new password for --user with the recovery code
  help                                  show this text

Secrets are read from files (first line) or asked for on a terminal; never from arguments.
Exit codes: 0 ok, 1 error, 2 invalid input.`;

interface ParsedArguments {
  positionals: string[];
  options: Map<string, string | true>;
}

const valueOptions = new Set([
  'data-dir',
  'user',
  'password-file',
  'query',
  'class',
  'criticality',
  'site',
  'lifecycle',
  'offset',
  'limit',
  'format',
  'out',
  'mapping',
  'recovery-file',
  'new-password-file',
]);
const flagOptions = new Set(['json', 'skip-invalid', 'help']);

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!argument.startsWith('--')) {
      positionals.push(argument);
      continue;
    }
    const [name, inline] = argument.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (name === 'password' || name === 'recovery-code') {
      throw new CliError(
        `--${name} is not accepted: pass secrets with --${name}-file or at the prompt`,
        exitCodes.invalidInput,
      );
    }
    if (flagOptions.has(name)) {
      if (inline !== undefined)
        throw new CliError(`--${name} takes no value`, exitCodes.invalidInput);
      options.set(name, true);
    } else if (valueOptions.has(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new CliError(`--${name} needs a value`, exitCodes.invalidInput);
      }
      options.set(name, value);
    } else {
      throw new CliError(`unknown option --${name}`, exitCodes.invalidInput);
    }
  }
  return { positionals, options };
}

function option(parsed: ParsedArguments, name: string): string | undefined {
  const value = parsed.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

function readSecretFile(path: string, what: string, io: CliIo): string {
  let content: string;
  try {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0 && process.platform !== 'win32') {
      io.stderr(
        `wardkeep: warning: ${what} file ${path} is readable by other users (chmod 600 it)\n`,
      );
    }
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      exitCodes.invalidInput,
    );
  }
  const firstLine = content.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.length === 0)
    throw new CliError(`${what} file ${path} is empty`, exitCodes.invalidInput);
  return firstLine;
}

async function secret(
  parsed: ParsedArguments,
  fileOption: string,
  what: string,
  io: CliIo,
): Promise<string> {
  const path = option(parsed, fileOption);
  if (path) return readSecretFile(path, what, io);
  if (io.promptSecret) return io.promptSecret(`${what}: `);
  throw new CliError(
    `no ${what}: pass --${fileOption} FILE (no terminal to prompt on)`,
    exitCodes.invalidInput,
  );
}

/** A secret being chosen: from its file, or typed twice at the prompt so a typo is caught. */
async function newSecret(
  parsed: ParsedArguments,
  fileOption: string,
  what: string,
  io: CliIo,
): Promise<string> {
  const first = await secret(parsed, fileOption, what, io);
  if (option(parsed, fileOption) || !io.promptSecret) return first;
  const again = await io.promptSecret(`${what} again: `);
  if (again !== first) throw new CliError(`the two ${what}s differ`, exitCodes.invalidInput);
  return first;
}

function errorExitCode(code: string): number {
  switch (code) {
    case 'ipc.payload':
    case 'password.weak':
    case 'import.mapping':
    case 'import.invalid':
    case 'import.unknown_staging':
      return exitCodes.invalidInput;
    default:
      return exitCodes.error;
  }
}

const clientId = 'cli';

async function call<C extends Channel>(
  registry: IpcRegistry,
  channel: C,
  request: RequestOf<C>,
): Promise<ResultOf<C>> {
  const result = (await registry.dispatch(clientId, channel, request)) as Result<ResultOf<C>>;
  if (!result.ok)
    throw new CliError(
      `${result.error.message} [${result.error.code}]`,
      errorExitCode(result.error.code),
    );
  return result.value;
}

function requireUser(parsed: ParsedArguments): string {
  const user = option(parsed, 'user');
  if (!user) throw new CliError('this command needs --user NAME', exitCodes.invalidInput);
  return user;
}

async function signIn(registry: IpcRegistry, parsed: ParsedArguments, io: CliIo): Promise<void> {
  const username = requireUser(parsed);
  const password = await secret(parsed, 'password-file', 'password', io);
  await call(registry, 'session:unlock', { username, password });
}

function readInputFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      exitCodes.invalidInput,
    );
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) throw new CliError(`${path}: ${decoded.error.message}`, exitCodes.invalidInput);
  return decoded.text;
}

function formatImportReport(report: ImportReport, fileName: string): string {
  const lines = [
    `${fileName}: ${report.rows} rows, ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.invalidRows} invalid${report.committed ? '' : ' — nothing written'}`,
  ];
  for (const issue of report.issues) {
    lines.push(`  line ${issue.line}${issue.column ? `, ${issue.column}` : ''}: ${issue.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

function enumOption<T extends string>(
  parsed: ParsedArguments,
  name: string,
  values: readonly T[],
): T | undefined {
  const value = option(parsed, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw new CliError(
      `--${name} must be one of ${values.join(', ')} (got ${JSON.stringify(value)})`,
      exitCodes.invalidInput,
    );
  }
  return value as T;
}

function integerOption(parsed: ParsedArguments, name: string): number | undefined {
  const value = option(parsed, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new CliError(
      `--${name} must be a whole number (got ${JSON.stringify(value)})`,
      exitCodes.invalidInput,
    );
  return Number(value);
}

async function importFile(
  registry: IpcRegistry,
  path: string,
  parsed: ParsedArguments,
  io: CliIo,
  skipInvalid: boolean,
): Promise<number> {
  const content = readInputFile(path);
  const staged = await call(registry, 'imports:stage', { fileName: basename(path), content });
  let mapping = staged.suggestedMapping;
  const mappingName = option(parsed, 'mapping') ?? staged.matchedMappingName ?? undefined;
  if (mappingName) {
    const saved = (await call(registry, 'mappings:list', {})).find(
      (entry) => entry.name === mappingName,
    );
    if (!saved)
      throw new CliError(
        `no saved column mapping named ${JSON.stringify(mappingName)}`,
        exitCodes.invalidInput,
      );
    mapping = saved.mapping;
  }
  const report = await call(registry, 'imports:commit', {
    stagingId: staged.stagingId,
    mapping,
    skipInvalid,
  });
  if (parsed.options.has('json')) io.stdout(`${JSON.stringify(report)}\n`);
  else io.stdout(formatImportReport(report, basename(path)));
  return report.committed ? exitCodes.ok : exitCodes.invalidInput;
}

async function run(
  registry: IpcRegistry,
  services: AppServices,
  parsed: ParsedArguments,
  io: CliIo,
): Promise<number> {
  const [command, subcommand, ...rest] = parsed.positionals;
  const json = parsed.options.has('json');
  switch (command) {
    case undefined:
    case 'help':
      io.stdout(`${usage}\n`);
      return command === undefined && !parsed.options.has('help')
        ? exitCodes.invalidInput
        : exitCodes.ok;

    case 'init': {
      const username = requireUser(parsed);
      const password = await newSecret(parsed, 'password-file', 'password', io);
      const { user, recoveryCode } = await call(registry, 'session:setup', { username, password });
      if (json)
        io.stdout(
          `${JSON.stringify({ user, recoveryCode, dataDir: services.vault.databasePath })}\n`,
        );
      else {
        io.stdout(
          `Created the Wardkeep store for administrator ${user.username}.\n\n` +
            `Recovery code (shown once — print it and keep it sealed; it opens the data if every password is lost):\n\n` +
            `    ${recoveryCode}\n\n`,
        );
      }
      return exitCodes.ok;
    }

    case 'recover': {
      const username = requireUser(parsed);
      const recoveryCode = await secret(parsed, 'recovery-file', 'recovery code', io);
      const newPassword = await newSecret(parsed, 'new-password-file', 'new password', io);
      await call(registry, 'session:recover', { recoveryCode, username, newPassword });
      io.stdout(`New password set for ${username}.\n`);
      return exitCodes.ok;
    }

    case 'demo': {
      let createdRecoveryCode: string | null = null;
      if (services.status(clientId).setupRequired) {
        const username = requireUser(parsed);
        const password = await newSecret(parsed, 'password-file', 'password', io);
        const { recoveryCode } = await call(registry, 'session:setup', { username, password });
        createdRecoveryCode = recoveryCode;
        if (!json) io.stdout(`Created the store. Recovery code (shown once): ${recoveryCode}\n`);
      } else {
        await signIn(registry, parsed, io);
      }
      const content = canonicalCsv(generateDemoHospital(20_261_123, 2_500));
      const staged = await call(registry, 'imports:stage', {
        fileName: 'demo-hospital.csv',
        content,
      });
      const report = await call(registry, 'imports:commit', {
        stagingId: staged.stagingId,
        mapping: staged.suggestedMapping,
        skipInvalid: false,
      });
      io.stdout(
        json
          ? `${JSON.stringify({ recoveryCode: createdRecoveryCode, import: report })}\n`
          : formatImportReport(report, 'demo hospital'),
      );
      return report.committed ? exitCodes.ok : exitCodes.error;
    }

    case 'device': {
      if (subcommand === 'import') {
        const [file, extra] = rest;
        if (!file || extra)
          throw new CliError('device import takes exactly one FILE', exitCodes.invalidInput);
        await signIn(registry, parsed, io);
        return importFile(registry, resolve(file), parsed, io, parsed.options.has('skip-invalid'));
      }
      if (subcommand === 'list') {
        if (rest.length > 0)
          throw new CliError(
            `device list takes no arguments (got ${rest.join(' ')})`,
            exitCodes.invalidInput,
          );
        const query: RequestOf<'devices:list'> = {};
        const text = option(parsed, 'query');
        if (text !== undefined) query.text = text;
        const deviceClass = enumOption(parsed, 'class', deviceClasses);
        if (deviceClass) query.deviceClass = deviceClass;
        const criticality = enumOption(parsed, 'criticality', criticalities);
        if (criticality) query.criticality = criticality;
        const lifecycleState = enumOption(parsed, 'lifecycle', lifecycleStates);
        if (lifecycleState) query.lifecycleState = lifecycleState;
        const site = option(parsed, 'site');
        if (site !== undefined) query.site = site;
        const offset = integerOption(parsed, 'offset');
        if (offset !== undefined) query.offset = offset;
        const limit = integerOption(parsed, 'limit');
        if (limit !== undefined) query.limit = limit;
        await signIn(registry, parsed, io);
        const page = await call(registry, 'devices:list', query);
        if (json) {
          io.stdout(`${JSON.stringify(page)}\n`);
        } else {
          const rows = page.rows.map((device) =>
            [
              device.assetTag ?? '-',
              device.manufacturer,
              device.model,
              device.serialNumber,
              device.deviceClass,
              device.criticality,
              device.site ?? '-',
              device.ipAddress ?? '-',
              device.lifecycleState,
            ].join('\t'),
          );
          io.stdout(
            `${['asset_tag', 'manufacturer', 'model', 'serial_number', 'class', 'criticality', 'site', 'ip', 'lifecycle'].join('\t')}\n`,
          );
          if (rows.length) io.stdout(`${rows.join('\n')}\n`);
          io.stdout(`${page.rows.length} of ${page.total} devices (offset ${page.offset})\n`);
        }
        return exitCodes.ok;
      }
      if (subcommand === 'export') {
        if (rest.length > 0)
          throw new CliError(
            `device export takes no arguments (got ${rest.join(' ')})`,
            exitCodes.invalidInput,
          );
        const format = enumOption(parsed, 'format', ['csv', 'fhir'] as const);
        if (!format)
          throw new CliError('device export needs --format csv|fhir', exitCodes.invalidInput);
        await signIn(registry, parsed, io);
        const exported = await call(registry, 'devices:export', { format });
        const out = option(parsed, 'out');
        if (out) {
          try {
            writeFileAtomic(resolve(out), exported.content);
          } catch (error) {
            throw new CliError(
              `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
              exitCodes.error,
            );
          }
          io.stderr(`wrote ${out}\n`);
        } else {
          // A file keeps the BOM so spreadsheets read UTF-8; a pipe gets plain text.
          const text = exported.content.replace(/^\uFEFF/, '');
          io.stdout(text.endsWith('\n') ? text : `${text}\n`);
        }
        return exitCodes.ok;
      }
      throw new CliError(
        `unknown device command ${JSON.stringify(subcommand ?? '')}: use import, list or export`,
        exitCodes.invalidInput,
      );
    }

    default:
      throw new CliError(
        `unknown command ${JSON.stringify(command)} (see wardkeep help)`,
        exitCodes.invalidInput,
      );
  }
}

export async function runCli(
  argv: readonly string[],
  io: CliIo,
  options: CliOptions = {},
): Promise<number> {
  let services: AppServices | undefined;
  try {
    const parsed = parseArguments(argv);
    if (parsed.options.has('help')) {
      io.stdout(`${usage}\n`);
      return exitCodes.ok;
    }
    const dataDir = resolve(option(parsed, 'data-dir') ?? defaultDataDir());
    services = createAppServices({ ...options.services, dataDir });
    const registry = createIpcRegistry(services);
    return await run(registry, services, parsed, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`wardkeep: error: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`wardkeep: error: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.error;
  } finally {
    services?.close();
  }
}
