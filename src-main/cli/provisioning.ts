// The bedside and PKI commands of `wardkeep`: provision a device on a serial port, run the
// console's CA, trust manufacturers and load firmware baselines — each one call through the same
// IPC channels the app uses, so permissions, step-up and the audit trail are the app's. A device
// that is refused or a session that fails exits 1 after saying which step and why.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Channel, EventPayload, RequestOf, ResultOf } from '../../src-preload/contract';
import {
  authorityKeyAlgorithms,
  certificateStatuses,
  revocationReasons,
} from '../../src-preload/provisioning/schemas';
import type { IpcRegistry } from '../ipc/registry';
import type { CliIo, ParsedArguments } from './arguments';
import {
  CliError,
  deliverOutput,
  enumOption,
  exitCodes,
  expectArguments,
  integerOption,
  json,
  oneOf,
  option,
  readInputFile,
  secret,
  table,
} from './arguments';
import { call, clientId, signIn } from './sign-in';

/** Text for the help's right-hand column: lines of at most 62 characters, indented to it. */
function wrapped(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= 62)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join(`\n${' '.repeat(30)}`);
}

/** The lines `wardkeep help` shows for these commands. */
export const provisioningUsage = `  provision --port PATH [--zone ZONE [--vlan N]] [--release-quarantine] [--json]
                              provision the device on a serial port (technician, engineer): it
                              proves its identity, its firmware is checked, it gets a certificate
                              and its zone (--zone, else the zone it has); each step is shown on
                              stderr; exit 1 when it is refused or fails, naming step and reason
  provision ports [--json]    the serial ports the system lists
  provision history [--device UID] [--limit N] [--json]
  pki init --site NAME [--key ${authorityKeyAlgorithms.join('|')}] [--json]
                              create the console's own root and issuing CA (engineer)
  pki import FILE --site NAME [--pkcs12-password-file FILE] [--json]
                              install an enterprise sub-CA from PKCS#12 (certificate + key)
  pki issue --device UID --csr FILE [--out FILE] [--json]
                              a certificate for an inventory device from a CSR file; active at
                              once (the engineer installs it), superseding the device's current
                              one; printed with the chain (PEM)
  pki revoke SERIAL REASON    ${wrapped(`REASON: ${revocationReasons.join(', ')}`)}
  pki crl [--out FILE]        sign and publish a fresh CRL (PEM)
  pki chain [--out FILE]      the issuing CA and its chain up to the root (PEM)
  pki list [--device UID] [--status ${certificateStatuses.join('|')}] [--expiring DAYS] [--json]
  trust import FILE [--manufacturer NAME] [--json]
                              trust the manufacturer CA certificates of a PEM bundle (engineer)
  trust list [--json] | trust remove FINGERPRINT
  baseline publisher FILE     the public key (PEM) that signs firmware baselines (engineer)
  baseline import FILE [--json]
                              approved firmware versions and hashes, as a file signed by that key`;

type ProvisionEvent = EventPayload<'provision:event'>;

async function signedCall<C extends Channel>(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  channel: C,
  request: RequestOf<C>,
): Promise<ResultOf<C>> {
  await signIn(registry, parsed, io, { forChannel: channel });
  return call(registry, channel, request);
}

function print(parsed: ParsedArguments, io: CliIo, value: unknown, text: string): void {
  io.stdout(json(parsed) ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

function stepLine(event: ProvisionEvent['event']): string | null {
  switch (event.kind) {
    case 'step.passed':
      return `  ✓ ${event.step}: ${event.summary}`;
    case 'step.failed':
      return `  ✗ ${event.step}: ${event.reason}`;
    case 'retry':
      return `  … ${event.step}: sent again (attempt ${event.attempt})`;
    case 'device.identified':
      return `  device: ${event.device.manufacturer} ${event.device.model}, serial ${event.device.serialNumber}, firmware ${event.device.firmwareVersion}`;
    default:
      return null;
  }
}

function outcomeText(outcome: Extract<ProvisionEvent['event'], { kind: 'finished' }>['outcome']) {
  switch (outcome.status) {
    case 'provisioned':
      return (
        `Provisioned ${outcome.device?.manufacturer ?? ''} ${outcome.device?.model ?? ''} serial ${outcome.device?.serialNumber ?? ''}`.replace(
          /\s+/g,
          ' ',
        ) +
        ` as ${outcome.deviceUid} in zone ${outcome.zoneId} (VLAN ${outcome.vlan})${outcome.reconciled ? ', completing an earlier session' : ''}.\n` +
        `Certificate ${outcome.certificate.serial} (${outcome.certificate.keyAlgorithm}), valid to ${outcome.certificate.notAfter}\n` +
        `SHA-256 ${outcome.certificate.fingerprintSha256}`
      );
    case 'refused':
      return `Refused at ${outcome.step} (${outcome.code}): ${outcome.reason}${outcome.quarantined ? ' The device is quarantined in the inventory.' : ''}${outcome.exceptionSuggested ? ' It cannot hold a certificate: document a legacy-device exception instead.' : ''}`;
    case 'failed':
      return `Failed at ${outcome.step} (${outcome.code}): ${outcome.reason}${outcome.certificateInDoubt ? ` Certificate ${outcome.certificateInDoubt} stays pending until the next session with this device settles it.` : ''}`;
  }
}

/**
 * Runs one session and waits for its outcome. Without --zone the device keeps the zone it has;
 * a device without one is not guessed at: the session is cancelled and the zones are listed.
 * Ctrl-C cancels at the next step, which leaves the device as it was.
 */
async function provision(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  rest: string[],
): Promise<number> {
  expectArguments('provision', rest, []);
  const portPath = option(parsed, 'port');
  if (!portPath)
    throw new CliError('provision needs --port PATH (see provision ports)', exitCodes.invalidInput);
  const zoneId = option(parsed, 'zone');
  const vlan = integerOption(parsed, 'vlan');
  if (vlan !== undefined && zoneId === undefined)
    throw new CliError('--vlan goes with --zone', exitCodes.invalidInput);
  await signIn(registry, parsed, io, { forChannel: 'provision:start' });

  let sessionId: string | null = null;
  let noZone: string | null = null;
  let finish: (outcome: ProvisionOutcome) => void = () => undefined;
  const finished = new Promise<ProvisionOutcome>((resolve) => (finish = resolve));
  const unsubscribe = registry.subscribe(clientId, (name, payload) => {
    if (name !== 'provision:event') return;
    const { event } = payload as ProvisionEvent;
    const line = stepLine(event);
    if (line !== null) io.stderr(`${line}\n`);
    if (event.kind === 'placement.needed') {
      const current = event.device.currentZoneId;
      if (current !== null && sessionId !== null) {
        void registry.dispatch(clientId, 'provision:choose-zone', { sessionId, zoneId: current });
      } else {
        noZone = `the device has no zone yet: give --zone, one of ${event.zones.map((zone) => zone.id).join(', ')}`;
        if (sessionId !== null) void registry.dispatch(clientId, 'provision:cancel', { sessionId });
      }
    }
    if (event.kind === 'finished') finish(event.outcome);
  });
  const interrupt = () => {
    io.stderr('cancelling: the device keeps what it had\n');
    if (sessionId !== null) void registry.dispatch(clientId, 'provision:cancel', { sessionId });
  };
  process.once('SIGINT', interrupt);
  try {
    io.stderr(`Provisioning on ${portPath}…\n`);
    ({ sessionId } = await call(registry, 'provision:start', {
      portPath,
      ...(zoneId === undefined ? {} : { zoneId, ...(vlan === undefined ? {} : { vlan }) }),
      ...(parsed.options.has('release-quarantine') ? { releaseQuarantine: true } : {}),
    }));
    const outcome = await finished;
    if (noZone !== null) throw new CliError(noZone, exitCodes.invalidInput);
    print(parsed, io, outcome, outcomeText(outcome));
    return outcome.status === 'provisioned' ? exitCodes.ok : exitCodes.error;
  } finally {
    process.removeListener('SIGINT', interrupt);
    unsubscribe();
  }
}

type ProvisionOutcome = Extract<ProvisionEvent['event'], { kind: 'finished' }>['outcome'];

export async function provisionCommand(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case undefined:
      return provision(registry, parsed, io, rest);
    case 'ports': {
      expectArguments('provision ports', rest, []);
      const ports = await signedCall(registry, parsed, io, 'provision:ports', {});
      if (json(parsed)) print(parsed, io, ports, '');
      else if (ports.length === 0) io.stdout('No serial ports found.\n');
      else
        table(
          io,
          ['path', 'manufacturer', 'serial', 'vendor:product'],
          ports.map((port) => [
            port.path,
            port.manufacturer ?? '-',
            port.serialNumber ?? '-',
            port.vendorId ? `${port.vendorId}:${port.productId ?? ''}` : '-',
          ]),
        );
      return exitCodes.ok;
    }
    case 'history': {
      expectArguments('provision history', rest, []);
      const deviceUid = option(parsed, 'device');
      const limit = integerOption(parsed, 'limit');
      const attempts = await signedCall(registry, parsed, io, 'provision:attempts', {
        ...(deviceUid === undefined ? {} : { deviceUid }),
        ...(limit === undefined ? {} : { limit }),
      });
      if (json(parsed)) print(parsed, io, attempts, '');
      else
        table(
          io,
          ['ended', 'outcome', 'step', 'device', 'serial', 'by', 'reason'],
          attempts.map((attempt) => [
            new Date(attempt.endedAtMs).toISOString(),
            attempt.outcome,
            attempt.step,
            attempt.deviceUid ?? '-',
            attempt.serialNumber ?? '-',
            attempt.actor ?? '-',
            attempt.reason ?? '-',
          ]),
        );
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown provision command ${JSON.stringify(subcommand)}: use provision --port PATH, ports or history`,
        exitCodes.invalidInput,
      );
  }
}

function requireSite(parsed: ParsedArguments, command: string): string {
  const site = option(parsed, 'site');
  if (!site?.trim())
    throw new CliError(
      `${command} needs --site NAME: the hospital or site, O= of every certificate`,
      exitCodes.invalidInput,
    );
  return site;
}

function readBinaryFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      exitCodes.invalidInput,
    );
  }
}

export async function pkiCommand(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'init': {
      expectArguments('pki init', rest, []);
      const siteName = requireSite(parsed, 'pki init');
      const keyAlgorithm = enumOption(parsed, 'key', authorityKeyAlgorithms);
      const summary = await signedCall(registry, parsed, io, 'pki:create-authority', {
        siteName,
        ...(keyAlgorithm === undefined ? {} : { keyAlgorithm }),
      });
      print(
        parsed,
        io,
        summary,
        `Issuing CA created: ${summary.subject} (${summary.keyAlgorithm}), valid to ${summary.notAfter}\nSHA-256 ${summary.fingerprintSha256}`,
      );
      return exitCodes.ok;
    }
    case 'import': {
      const [path] = expectArguments('pki import', rest, ['FILE']);
      const siteName = requireSite(parsed, 'pki import');
      const pkcs12Base64 = readBinaryFile(path!).toString('base64');
      await signIn(registry, parsed, io, { forChannel: 'pki:import-authority' });
      const password = await secret(parsed, 'pkcs12-password-file', 'PKCS#12 password', io);
      const summary = await call(registry, 'pki:import-authority', {
        siteName,
        pkcs12Base64,
        password,
      });
      print(
        parsed,
        io,
        summary,
        `Issuing CA installed from ${basename(path!)}: ${summary.subject}, under ${summary.chainSubjects.join(' → ') || 'itself'}\nSHA-256 ${summary.fingerprintSha256}`,
      );
      return exitCodes.ok;
    }
    case 'issue': {
      expectArguments('pki issue', rest, []);
      const deviceUid = option(parsed, 'device');
      const csrPath = option(parsed, 'csr');
      if (!deviceUid || !csrPath)
        throw new CliError('pki issue needs --device UID and --csr FILE', exitCodes.invalidInput);
      const csrPem = readInputFile(csrPath);
      const issued = await signedCall(registry, parsed, io, 'pki:issue', { deviceUid, csrPem });
      if (json(parsed)) print(parsed, io, issued, '');
      else {
        io.stderr(
          `Certificate ${issued.certificate.serial} for ${deviceUid}, valid to ${issued.certificate.notAfter}\nSHA-256 ${issued.certificate.fingerprintSha256}\n`,
        );
        deliverOutput(parsed, io, `${issued.certificatePem.trimEnd()}\n${issued.chainPem}`);
      }
      return exitCodes.ok;
    }
    case 'revoke': {
      const [serial, reasonText] = expectArguments('pki revoke', rest, ['SERIAL', 'REASON']);
      const reason = oneOf(reasonText!, 'the revocation reason', revocationReasons);
      const record = await signedCall(registry, parsed, io, 'pki:revoke', {
        serial: serial!,
        reason,
      });
      print(
        parsed,
        io,
        record,
        `Certificate ${record.serial} of ${record.deviceUid} revoked (${record.revocationReason}); publish a CRL with pki crl.`,
      );
      return exitCodes.ok;
    }
    case 'crl':
    case 'chain': {
      expectArguments(`pki ${subcommand}`, rest, []);
      const file = await signedCall(
        registry,
        parsed,
        io,
        subcommand === 'crl' ? 'pki:crl' : 'pki:chain',
        {},
      );
      deliverOutput(parsed, io, file.content);
      return exitCodes.ok;
    }
    case 'list': {
      expectArguments('pki list', rest, []);
      const expiring = integerOption(parsed, 'expiring');
      const deviceUid = option(parsed, 'device');
      const status = enumOption(parsed, 'status', certificateStatuses);
      const records =
        expiring === undefined
          ? await signedCall(registry, parsed, io, 'pki:certificates', {
              ...(deviceUid === undefined ? {} : { deviceUid }),
              ...(status === undefined ? {} : { status }),
            })
          : await signedCall(registry, parsed, io, 'pki:expiring', { withinDays: expiring });
      if (json(parsed)) print(parsed, io, records, '');
      else
        table(
          io,
          ['serial', 'device', 'name', 'status', 'not after', 'key'],
          records.map((record) => [
            record.serial,
            record.deviceUid,
            record.deviceName,
            record.status,
            record.notAfter,
            record.keyAlgorithm,
          ]),
        );
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown pki command ${JSON.stringify(subcommand ?? '')}: use init, import, issue, revoke, crl, chain or list`,
        exitCodes.invalidInput,
      );
  }
}

export async function trustCommand(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'import': {
      const [path] = expectArguments('trust import', rest, ['FILE']);
      const pem = readInputFile(path!);
      const manufacturer = option(parsed, 'manufacturer');
      const report = await signedCall(registry, parsed, io, 'trust:import', {
        pem,
        ...(manufacturer === undefined ? {} : { manufacturer }),
      });
      print(
        parsed,
        io,
        report,
        [
          `${basename(path!)}: ${report.added.length} manufacturer CA${report.added.length === 1 ? '' : 's'} trusted, ${report.alreadyTrusted.length} already trusted`,
          ...report.added.map((anchor) => `  ${anchor.manufacturer}: ${anchor.subject}`),
        ].join('\n'),
      );
      return exitCodes.ok;
    }
    case 'list': {
      expectArguments('trust list', rest, []);
      const anchors = await signedCall(registry, parsed, io, 'trust:list', {});
      if (json(parsed)) print(parsed, io, anchors, '');
      else
        table(
          io,
          ['manufacturer', 'subject', 'not after', 'sha-256'],
          anchors.map((anchor) => [
            anchor.manufacturer,
            anchor.subject,
            anchor.notAfter,
            anchor.fingerprintSha256,
          ]),
        );
      return exitCodes.ok;
    }
    case 'remove': {
      const [fingerprintSha256] = expectArguments('trust remove', rest, ['FINGERPRINT']);
      await signedCall(registry, parsed, io, 'trust:remove', {
        fingerprintSha256: fingerprintSha256!,
      });
      io.stdout(`No longer trusted: ${fingerprintSha256}\n`);
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown trust command ${JSON.stringify(subcommand ?? '')}: use import, list or remove`,
        exitCodes.invalidInput,
      );
  }
}

export async function baselineCommand(
  registry: IpcRegistry,
  parsed: ParsedArguments,
  io: CliIo,
  subcommand: string | undefined,
  rest: string[],
): Promise<number> {
  switch (subcommand) {
    case 'publisher': {
      const [path] = expectArguments('baseline publisher', rest, ['FILE']);
      const info = await signedCall(registry, parsed, io, 'baseline:publisher', {
        pem: readInputFile(path!),
      });
      print(
        parsed,
        io,
        info,
        `Baselines are now checked against this ${info.algorithm} key: SHA-256 ${info.fingerprintSha256}`,
      );
      return exitCodes.ok;
    }
    case 'import': {
      const [path] = expectArguments('baseline import', rest, ['FILE']);
      const summary = await signedCall(registry, parsed, io, 'baseline:import', {
        content: readInputFile(path!),
      });
      print(
        parsed,
        io,
        summary,
        `${basename(path!)}: baseline ${summary.sequence} from ${summary.publisher}, ${summary.models} models, ${summary.approvedImages} approved images`,
      );
      return exitCodes.ok;
    }
    default:
      throw new CliError(
        `unknown baseline command ${JSON.stringify(subcommand ?? '')}: use publisher or import`,
        exitCodes.invalidInput,
      );
  }
}
