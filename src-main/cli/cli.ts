// The `wardkeep` command line: one more client of the same IPC registry the app uses, so every
// schema, session, permission and step-up rule applies unchanged. Secrets come from a file or a
// prompt, never argv or the environment. Exit codes: 0 ok, 1 error, 2 invalid input.
import { basename, resolve } from 'node:path';
import type {
  AccountSummary,
  EmergencySessionRecord,
  ImportReport,
  RequestOf,
  SessionUser,
} from '../../src-preload/contract';
import {
  criticalities,
  deviceClasses,
  emergencyReasons,
  lifecycleStates,
  roles,
} from '../../src-preload/contract';
import { roleAllows } from '../access/permissions';
import {
  failuresBeforeBackoff,
  failuresBeforeLock,
  lockDurationMs,
  maximumBackoffMs,
} from '../access/throttle';
import { generateDemoHospital } from '../inventory/demo';
import { canonicalCsv } from '../inventory/demo-csv';
import type { IpcRegistry } from '../ipc/registry';
import { createIpcRegistry } from '../ipc/registry';
import type { AppServices, AppServicesOptions } from '../services';
import { createAppServices } from '../services';
import type { CliIo, ParsedArguments } from './arguments';
import {
  CliError,
  deliverOutput,
  enumOption,
  exitCodes,
  expectArguments,
  integerOption,
  json,
  newSecret,
  oneOf,
  option,
  parseArguments,
  readInputFile,
  secret,
  table,
} from './arguments';
import { defaultDataDir } from './data-dir';
import { call, clientId, completeSignIn, requireUser, signIn, wantsEmergency } from './sign-in';
import { flowsCommand, networkUsage, policyCommand, reportCommand, zoneCommand } from './network';
import {
  baselineCommand,
  pkiCommand,
  provisionCommand,
  provisioningUsage,
  trustCommand,
} from './provisioning';

export type { CliIo } from './arguments';
export { exitCodes, parseArguments } from './arguments';

export interface CliOptions {
  /** Test seam: clock, ids, KDF cost. */
  services?: Partial<AppServicesOptions>;
}

const usage = `Usage: wardkeep [--data-dir DIR] [SIGN-IN] <command> [options]

Sign-in (every command that opens the store):
  --user NAME [--password-file FILE] [--totp-file FILE]
      the account's password, then the code its authenticator app shows (or one of its
      single-use MFA recovery codes). At a first sign-in: --new-password-file FILE (or asked
      twice) replaces a password an administrator issued; the authenticator is enrolled: its
      otpauth URI and secret go to stderr, then the code is read — --totp-file only at that
      moment, so a script may write it (or feed a named pipe) after reading the secret — and
      the MFA recovery codes are shown once, on stderr.
  --emergency-file FILE --opened-by NAME --reason ${emergencyReasons.join('|')}
  [--reason-text TEXT]
      break-glass instead of --user: the sealed emergency credential opens an emergency session
      with engineer rights for this one command (no exports: they need a named account's
      step-up). The session ends, and is recorded, when the command ends; the credential is
      spent until an administrator runs breakglass rotate. --reason other needs --reason-text.

Commands:
  init [--json]               create the store and its first administrator (--user; password
                              from --password-file or asked twice); prints the recovery code and
                              the emergency credential once, then enrols the authenticator
  device import FILE [--skip-invalid] [--mapping NAME] [--json]
                              (technician, engineer; all-or-nothing unless --skip-invalid)
  device list [--query TEXT] [--class C] [--criticality C] [--site S] [--lifecycle L]
              [--offset N] [--limit N] [--json]
  device export --format csv|fhir [--out FILE]           (engineer, manager)
  demo [--engineer NAME] [--json]
                              fill the store with a synthetic hospital (~2,500 devices). An
                              administrator cannot import, so on a fresh data dir demo creates the
                              store (administrator --user, as init) and an engineer account
                              (NAME, default engineer) and prints its initial password once; then
                              run demo again as that engineer (--user engineer): its first
                              sign-in sets a password and enrols an authenticator, then imports.
                              On a store that exists, demo imports as --user.
  user add NAME --role ROLE [--json]
                              create an account (ROLE: ${roles.join(', ')});
                              prints its initial password once, to hand over: the account
                              replaces it, and enrols an authenticator, at its first sign-in
  user list [--json]
  user role NAME ROLE | user disable NAME | user delete NAME | user unlock NAME
  password                    change your own password (--new-password-file or asked twice)
  recover --recovery-file FILE --new-password-file FILE
                              set a new password for --user with the store's recovery code; the
                              account then enrols a new authenticator
  breakglass list [--json]    emergency sessions and their review
  breakglass review ID --comment TEXT
                              sign off an emergency session (an administrator other than the
                              one who opened it)
  breakglass rotate [--json]  issue a new emergency credential (prints it once); the old one
                              stops working
  breakglass open | close     not commands: a command-line emergency session lasts one command;
                              open it with --emergency-file on the command to run
  audit list [--actor NAME] [--action PREFIX] [--outcome success|failure|denied]
             [--emergency-only] [--from ISO] [--to ISO] [--limit N] [--offset N] [--json]
                              newest first
  audit verify [--json]       recomputes every record, the Merkle tree and every signed
                              checkpoint; names the first record that does not match (exit 1)
  audit export --format jsonl|fhir [--out FILE]
                              JSON lines (records + the signed checkpoint) or a FHIR R4 Bundle
                              of AuditEvent
${networkUsage}
${provisioningUsage}
  help                        show this text

Roles: technician (inventory, provisioning); engineer (+ export, PKI, network); manager (reads,
exports, audit); administrator (accounts, settings, audit, emergency review; reads the inventory
but cannot import). The user and breakglass commands are an administrator's; they and exports
need a sign-in (or step-up) less than 5 minutes old, which every command here has: it signs in.
Failed sign-ins: after ${failuresBeforeBackoff + 1} in a row each further try waits 1, 2, 4 … ${maximumBackoffMs / 1000} s; the
${failuresBeforeLock}th locks the account for ${lockDurationMs / 60_000} min (user unlock lifts it).
Secrets are read from files (first line) or asked for on a terminal; never from arguments.
Exit codes: 0 ok, 1 error (refused sign-in, lock, permission, I/O), 2 invalid input;
policy check also exits 1 when it finds a violation or an insecure flow.`;

/** What `init --json` prints, and `demo --json` carries as `setup` when it created the store. */
interface SetupResult {
  user: SessionUser;
  recoveryCode: string;
  emergencyCredential: string;
  mfaSecret: string | null;
  mfaUri: string | null;
  mfaRecoveryCodes: string[] | null;
  dataDir: string;
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

function refuseEmergency(parsed: ParsedArguments, command: string): void {
  if (wantsEmergency(parsed))
    throw new CliError(
      `${command} cannot run with emergency access: it needs a named account (--user)`,
      exitCodes.invalidInput,
    );
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
  if (json(parsed)) io.stdout(`${JSON.stringify(report)}\n`);
  else io.stdout(formatImportReport(report, basename(path)));
  return report.committed ? exitCodes.ok : exitCodes.invalidInput;
}

/**
 * Creates the store and its first administrator, prints the recovery code and the emergency
 * credential (text mode: at once, so a failed enrolment cannot lose them), then enrols MFA.
 */
async function createStore(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  dataDir: string,
): Promise<SetupResult> {
  const username = requireUser(parsed);
  const password = await newSecret(parsed, 'password-file', 'password', io);
  const { recoveryCode, emergencyCredential, next } = await call(registry, 'session:setup', {
    username,
    password,
  });
  const result: SetupResult = {
    user: { username, role: 'administrator' },
    recoveryCode,
    emergencyCredential,
    mfaSecret: null,
    mfaUri: null,
    mfaRecoveryCodes: null,
    dataDir,
  };
  if (!json(parsed)) {
    io.stdout(
      `Created the Wardkeep store in ${dataDir} for administrator ${username}.\n\n` +
        `Recovery code (shown once — print it and keep it sealed; it opens the data if every password is lost):\n\n` +
        `    ${recoveryCode}\n\n` +
        `Emergency credential (shown once — print it and seal it where clinicians can reach it; it opens\n` +
        `one emergency session with engineer rights: see --emergency-file in wardkeep help):\n\n` +
        `    ${emergencyCredential}\n\n`,
    );
  }
  try {
    const done = await completeSignIn(registry, parsed, io, username, next, {
      keepRecoveryCodes: json(parsed),
    });
    result.user = done.user;
    result.mfaSecret = done.enrolment?.secret ?? null;
    result.mfaUri = done.enrolment?.uri ?? null;
    result.mfaRecoveryCodes = done.enrolment?.recoveryCodes ?? null;
  } catch (error) {
    // The store exists now and its codes exist nowhere else: hand them over before failing.
    if (json(parsed)) io.stdout(`${JSON.stringify(result)}\n`);
    if (error instanceof CliError)
      throw new CliError(
        `${error.message}; the store was created — sign in again (any command) to enrol the authenticator`,
        error.exitCode,
      );
    throw error;
  }
  return result;
}

function setupClosingText(result: SetupResult): string {
  return `Administrator ${result.user.username} is enrolled and may now add accounts (wardkeep user add NAME --role ROLE).\n`;
}

async function demo(
  registry: IpcRegistry,
  services: AppServices,
  parsed: ParsedArguments,
  io: CliIo,
  dataDir: string,
): Promise<number> {
  if (services.status(clientId).setupRequired) {
    refuseEmergency(parsed, 'demo on a fresh data dir');
    const engineer = option(parsed, 'engineer') ?? 'engineer';
    if (engineer === option(parsed, 'user'))
      throw new CliError(
        `--engineer ${engineer} is the administrator's name: the importing account needs another one`,
        exitCodes.invalidInput,
      );
    const setup = await createStore(registry, parsed, io, dataDir);
    let created: { username: string; initialPassword: string } | null = null;
    try {
      created = await call(registry, 'accounts:create', { username: engineer, role: 'engineer' });
    } finally {
      const output = {
        recoveryCode: setup.recoveryCode,
        setup,
        engineer: created && { ...created, role: 'engineer' },
        import: null,
      };
      if (json(parsed)) io.stdout(`${JSON.stringify(output)}\n`);
    }
    if (!json(parsed)) {
      io.stdout(
        setupClosingText(setup) +
          `\nAn administrator cannot import, so demo made the account ${engineer} (engineer) for it.\n` +
          `Initial password of ${engineer} (shown once; replaced at its first sign-in):\n\n` +
          `    ${created.initialPassword}\n\n` +
          `Next, to sign in as ${engineer} (new password, authenticator) and import the demo hospital:\n\n` +
          `    wardkeep --data-dir ${JSON.stringify(dataDir)} --user ${engineer} demo\n`,
      );
    }
    return exitCodes.ok;
  }
  const signed = await signIn(registry, parsed, io, { forChannel: 'imports:commit' });
  if (!roleAllows(signed.user.role, 'inventory.write'))
    throw new CliError(
      `the ${signed.user.role} role cannot import, so it cannot fill the demo: run demo as an engineer or technician (on a fresh data dir demo made the account "engineer") [permission.denied]`,
      exitCodes.error,
    );
  const content = canonicalCsv(generateDemoHospital(20_261_123, 2_500));
  const staged = await call(registry, 'imports:stage', { fileName: 'demo-hospital.csv', content });
  const report = await call(registry, 'imports:commit', {
    stagingId: staged.stagingId,
    mapping: staged.suggestedMapping,
    skipInvalid: false,
  });
  io.stdout(
    json(parsed)
      ? `${JSON.stringify({ recoveryCode: null, setup: null, engineer: null, import: report })}\n`
      : formatImportReport(report, 'demo hospital'),
  );
  return report.committed ? exitCodes.ok : exitCodes.error;
}

async function device(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'import': {
      const [file] = expectArguments('device import', rest, ['FILE']);
      await signIn(registry, parsed, io, { forChannel: 'imports:commit' });
      return importFile(registry, resolve(file!), parsed, io, parsed.options.has('skip-invalid'));
    }
    case 'list': {
      expectArguments('device list', rest, []);
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
      await signIn(registry, parsed, io, { forChannel: 'devices:list' });
      const page = await call(registry, 'devices:list', query);
      if (json(parsed)) {
        io.stdout(`${JSON.stringify(page)}\n`);
        return exitCodes.ok;
      }
      table(
        io,
        [
          'asset_tag',
          'manufacturer',
          'model',
          'serial_number',
          'class',
          'criticality',
          'site',
          'ip',
          'lifecycle',
        ],
        page.rows.map((row) => [
          row.assetTag ?? '-',
          row.manufacturer,
          row.model,
          row.serialNumber,
          row.deviceClass,
          row.criticality,
          row.site ?? '-',
          row.ipAddress ?? '-',
          row.lifecycleState,
        ]),
      );
      io.stdout(`${page.rows.length} of ${page.total} devices (offset ${page.offset})\n`);
      return exitCodes.ok;
    }
    case 'export': {
      expectArguments('device export', rest, []);
      const format = enumOption(parsed, 'format', ['csv', 'fhir'] as const);
      if (!format)
        throw new CliError('device export needs --format csv|fhir', exitCodes.invalidInput);
      await signIn(registry, parsed, io, { forChannel: 'devices:export' });
      const exported = await call(registry, 'devices:export', { format });
      deliverOutput(parsed, io, exported.content);
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown device command ${JSON.stringify(subcommand ?? '')}: use import, list or export`,
        exitCodes.invalidInput,
      );
  }
}

function accountState(account: AccountSummary): string {
  if (account.disabledAt !== null) return 'disabled';
  return account.locked ? 'locked' : 'active';
}

async function user(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'add': {
      const [username] = expectArguments('user add', rest, ['NAME']);
      const role = enumOption(parsed, 'role', roles);
      if (!role)
        throw new CliError(`user add needs --role ${roles.join('|')}`, exitCodes.invalidInput);
      await signIn(registry, parsed, io, { forChannel: 'accounts:create' });
      const created = await call(registry, 'accounts:create', { username: username!, role });
      if (json(parsed)) io.stdout(`${JSON.stringify({ ...created, role })}\n`);
      else
        io.stdout(
          `Created ${role} ${created.username}. Initial password (shown once — hand it over in person;\n` +
            `${created.username} replaces it and enrols an authenticator at the first sign-in):\n\n` +
            `    ${created.initialPassword}\n`,
        );
      return exitCodes.ok;
    }
    case 'list': {
      expectArguments('user list', rest, []);
      await signIn(registry, parsed, io, { forChannel: 'accounts:list' });
      const accounts = await call(registry, 'accounts:list', {});
      if (json(parsed)) {
        io.stdout(`${JSON.stringify(accounts)}\n`);
        return exitCodes.ok;
      }
      table(
        io,
        ['username', 'role', 'state', 'mfa', 'password', 'recovery_codes', 'created_by'],
        accounts.map((account) => [
          account.username,
          account.role,
          accountState(account),
          account.mfaEnrolled ? 'enrolled' : 'not enrolled',
          account.mustChangePassword ? 'initial' : 'set',
          String(account.recoveryCodesLeft),
          account.createdBy ?? '-',
        ]),
      );
      return exitCodes.ok;
    }
    case 'role': {
      const [username, roleText] = expectArguments('user role', rest, ['NAME', 'ROLE']);
      const role = oneOf(roleText!, 'ROLE', roles);
      await signIn(registry, parsed, io, { forChannel: 'accounts:role' });
      await call(registry, 'accounts:role', { username: username!, role });
      io.stdout(`${username} is now ${role}; their sessions have ended.\n`);
      return exitCodes.ok;
    }
    case 'disable':
    case 'delete':
    case 'unlock': {
      const [username] = expectArguments(`user ${subcommand}`, rest, ['NAME']);
      const channel = (
        {
          disable: 'accounts:disable',
          delete: 'accounts:delete',
          unlock: 'accounts:unlock',
        } as const
      )[subcommand];
      await signIn(registry, parsed, io, { forChannel: channel });
      await call(registry, channel, { username: username! });
      const done = { disable: 'Disabled', delete: 'Deleted', unlock: 'Unlocked' }[subcommand];
      io.stdout(`${done} ${username}.\n`);
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown user command ${JSON.stringify(subcommand ?? '')}: use add, list, role, disable, delete or unlock`,
        exitCodes.invalidInput,
      );
  }
}

function emergencyRow(record: EmergencySessionRecord): string[] {
  return [
    String(record.id),
    record.openedBy,
    record.reason,
    record.openedAt,
    record.closedAt ?? 'open',
    record.reviewedBy ? `${record.reviewedBy} ${record.reviewedAt ?? ''}`.trim() : 'not reviewed',
    record.reasonText ?? '',
  ];
}

async function breakGlass(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'list': {
      expectArguments('breakglass list', rest, []);
      await signIn(registry, parsed, io, { forChannel: 'breakglass:list' });
      const records = await call(registry, 'breakglass:list', {});
      if (json(parsed)) {
        io.stdout(`${JSON.stringify(records)}\n`);
        return exitCodes.ok;
      }
      table(
        io,
        ['id', 'opened_by', 'reason', 'opened_at', 'closed_at', 'review', 'reason_text'],
        records.map(emergencyRow),
      );
      return exitCodes.ok;
    }
    case 'review': {
      const [idText] = expectArguments('breakglass review', rest, ['ID']);
      if (!/^[1-9]\d{0,9}$/.test(idText!))
        throw new CliError(
          `ID must be the number breakglass list shows (got ${JSON.stringify(idText)})`,
          exitCodes.invalidInput,
        );
      const comment = option(parsed, 'comment');
      if (!comment?.trim())
        throw new CliError(
          'breakglass review needs --comment TEXT: what was checked',
          exitCodes.invalidInput,
        );
      await signIn(registry, parsed, io, { forChannel: 'breakglass:review' });
      await call(registry, 'breakglass:review', { id: Number(idText), comment });
      io.stdout(`Emergency session ${idText} reviewed.\n`);
      return exitCodes.ok;
    }
    case 'rotate': {
      expectArguments('breakglass rotate', rest, []);
      await signIn(registry, parsed, io, { forChannel: 'breakglass:rotate' });
      const { credential } = await call(registry, 'breakglass:rotate', {});
      if (json(parsed)) io.stdout(`${JSON.stringify({ credential })}\n`);
      else
        io.stdout(
          `New emergency credential (shown once — print it, seal it, and destroy the old one):\n\n` +
            `    ${credential}\n`,
        );
      return exitCodes.ok;
    }
    case 'open':
    case 'close':
      // A process cannot hold a session for later commands, and opening one only to close it
      // would spend the sealed credential for nothing.
      throw new CliError(
        `breakglass ${subcommand} is not a command: emergency access lasts one command — run it with --emergency-file FILE --opened-by NAME --reason R (e.g. wardkeep --emergency-file card.txt --opened-by "J. Doe" --reason device_failure device import pumps.csv); the session closes when that command ends`,
        exitCodes.invalidInput,
      );
    default:
      throw new CliError(
        `unknown breakglass command ${JSON.stringify(subcommand ?? '')}: use list, review or rotate`,
        exitCodes.invalidInput,
      );
  }
}

async function audit(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'list': {
      expectArguments('audit list', rest, []);
      const query: RequestOf<'audit:list'> = {};
      const actor = option(parsed, 'actor');
      if (actor !== undefined) query.actor = actor;
      const action = option(parsed, 'action');
      if (action !== undefined) query.action = action;
      const outcome = enumOption(parsed, 'outcome', ['success', 'failure', 'denied'] as const);
      if (outcome) query.outcome = outcome;
      if (parsed.options.has('emergency-only')) query.emergency = true;
      const from = option(parsed, 'from');
      if (from !== undefined) query.fromTime = from;
      const to = option(parsed, 'to');
      if (to !== undefined) query.toTime = to;
      const limit = integerOption(parsed, 'limit');
      if (limit !== undefined) query.limit = limit;
      const offset = integerOption(parsed, 'offset');
      if (offset !== undefined) query.offset = offset;
      await signIn(registry, parsed, io, { forChannel: 'audit:list' });
      const page = await call(registry, 'audit:list', query);
      if (json(parsed)) {
        io.stdout(`${JSON.stringify(page)}\n`);
        return exitCodes.ok;
      }
      table(
        io,
        ['seq', 'time', 'actor', 'role', 'action', 'target', 'outcome', 'emergency', 'reason'],
        page.records.map((record) => [
          String(record.sequence),
          record.time,
          record.actor ?? '-',
          record.role ?? '-',
          record.action,
          record.target ?? '-',
          record.outcome,
          record.emergency ? 'EMERGENCY' : '-',
          record.reason ?? '-',
        ]),
      );
      return exitCodes.ok;
    }
    case 'verify': {
      expectArguments('audit verify', rest, []);
      await signIn(registry, parsed, io, { forChannel: 'audit:verify' });
      const result = await call(registry, 'audit:verify', {});
      if (json(parsed)) io.stdout(`${JSON.stringify(result)}\n`);
      else if (result.ok)
        io.stdout(
          `Audit log intact: ${result.size} records, root ${result.root ?? '-'}, ${result.checkpointsVerified} signed checkpoints verified (key ${result.signingKeyFingerprint}).\n`,
        );
      else
        io.stdout(
          `AUDIT LOG DOES NOT VERIFY: ${result.problem ?? 'unknown problem'}${result.firstBadSequence === null ? '' : ` (first bad record: ${result.firstBadSequence})`}\n`,
        );
      return result.ok ? exitCodes.ok : exitCodes.error;
    }
    case 'export': {
      expectArguments('audit export', rest, []);
      const format = enumOption(parsed, 'format', ['jsonl', 'fhir'] as const);
      if (!format)
        throw new CliError('audit export needs --format jsonl|fhir', exitCodes.invalidInput);
      await signIn(registry, parsed, io, { forChannel: 'audit:export' });
      const exported = await call(registry, 'audit:export', { format });
      deliverOutput(parsed, io, exported.content);
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown audit command ${JSON.stringify(subcommand ?? '')}: use list, verify or export`,
        exitCodes.invalidInput,
      );
  }
}

async function run(
  registry: IpcRegistry,
  services: AppServices,
  parsed: ParsedArguments,
  io: CliIo,
  dataDir: string,
): Promise<number> {
  const [command, subcommand, ...rest] = parsed.positionals;
  const afterCommand = subcommand === undefined ? [] : [subcommand, ...rest];
  switch (command) {
    case undefined:
    case 'help':
      io.stdout(`${usage}\n`);
      return command === undefined ? exitCodes.invalidInput : exitCodes.ok;

    case 'init': {
      expectArguments('init', afterCommand, []);
      refuseEmergency(parsed, 'init');
      const result = await createStore(registry, parsed, io, dataDir);
      io.stdout(json(parsed) ? `${JSON.stringify(result)}\n` : setupClosingText(result));
      return exitCodes.ok;
    }

    case 'recover': {
      expectArguments('recover', afterCommand, []);
      refuseEmergency(parsed, 'recover');
      const username = requireUser(parsed);
      const recoveryCode = await secret(parsed, 'recovery-file', 'recovery code', io);
      const newPassword = await newSecret(parsed, 'new-password-file', 'new password', io);
      const next = await call(registry, 'session:recover', { recoveryCode, username, newPassword });
      io.stdout(
        `New password set for ${username}. The recovery code stood in for every factor, so the authenticator is enrolled again now.\n`,
      );
      await completeSignIn(registry, parsed, io, username, next);
      return exitCodes.ok;
    }

    case 'demo':
      expectArguments('demo', afterCommand, []);
      return demo(registry, services, parsed, io, dataDir);

    case 'device':
      return device(registry, parsed, io, subcommand, rest);

    case 'user':
      return user(registry, parsed, io, subcommand, rest);

    case 'password': {
      expectArguments('password', afterCommand, []);
      refuseEmergency(parsed, 'password');
      const signed = await signIn(registry, parsed, io);
      const newPassword = await newSecret(parsed, 'new-password-file', 'new password', io);
      await call(registry, 'session:change-password', {
        currentPassword: signed.password ?? '',
        newPassword,
      });
      io.stdout(`Password changed for ${signed.user.username}.\n`);
      return exitCodes.ok;
    }

    case 'breakglass':
      return breakGlass(registry, parsed, io, subcommand, rest);

    case 'audit':
      return audit(registry, parsed, io, subcommand, rest);

    case 'zone':
      return zoneCommand(registry, parsed, io, subcommand, rest);

    case 'flows':
      return flowsCommand(registry, parsed, io, subcommand, rest);

    case 'policy':
      return policyCommand(registry, parsed, io, subcommand, rest);

    case 'report':
      return reportCommand(registry, parsed, io, afterCommand);

    case 'provision':
      return provisionCommand(registry, parsed, io, subcommand, rest);

    case 'pki':
      return pkiCommand(registry, parsed, io, subcommand, rest);

    case 'trust':
      return trustCommand(registry, parsed, io, subcommand, rest);

    case 'baseline':
      return baselineCommand(registry, parsed, io, subcommand, rest);

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
    return await run(registry, services, parsed, io, dataDir);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`wardkeep: error: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`wardkeep: error: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.error;
  } finally {
    try {
      // The session lasts this one command: its end (and an emergency's close) is recorded now.
      services?.lock(clientId, 'logout');
    } finally {
      services?.close();
    }
  }
}
