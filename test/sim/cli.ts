// The device simulator by hand: `npm run sim -- --personality infusion-pump` makes a socat PTY
// pair, plays the device on one end and prints the other for the console (`wardkeep provision
// --port PATH`); `--link PATH` plays it on a port that exists already. `npm run sim -- setup`
// writes the demo's manufacturer trust bundle and signed baseline for the console to import; the
// keys are made at that moment, in the directory given, and never belong in the repository.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SerialPort } from 'serialport';
import { closeSerialPort, openSerialPort } from '../../src-main/provisioning/ports';
import { serialBytesPerSecond } from '../../src-main/provisioning/link';
import type { RequestKind } from '../../src-main/provisioning/messages';
import { requestKinds } from '../../src-main/provisioning/messages';
import type { PtyPair } from '../support/pty';
import { startPtyPair } from '../support/pty';
import type { CablePull, DeviceEvent } from './device';
import { createSimulatedDevice } from './device';
import { createPersonality, isPersonalityName, personalityNames } from './personalities';
import { createSimulationWorld, readSimulationWorld, writeSimulationWorld } from './world';

const usage = `Usage:
  npm run sim -- setup [--dir DIR]
      Makes a simulated world in DIR (default ${join(tmpdir(), 'wardkeep-sim')}): the makers'
      CAs, trust-bundle.pem and a signed baseline.json with baseline-publisher.pem.
  npm run sim -- --personality NAME [--dir DIR] [--link PATH] [--serial SN]
                 [--firmware VERSION] [--pull-at STEP[:after]] [--pace]
      Plays one device. NAME: ${personalityNames.join(', ')}.
      Without --link, makes a PTY pair and prints the console's end as "console port: PATH".
      --pull-at cuts the line when the device sees STEP (${requestKinds.join(', ')}),
      before acting on it, or after with ":after". --pace holds answers to 115200 baud.`;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describeEvent(event: DeviceEvent): string | null {
  switch (event.kind) {
    case 'request':
      return `<- ${event.request}`;
    case 'state':
      return `   state ${event.from} -> ${event.to}`;
    case 'csr':
      return '   made a new key and CSR';
    case 'committed':
      return `   committed LDevID ${event.certificateSha256.slice(0, 16)}…`;
    case 'reverted':
      return `   discarded what was pending (${event.why})`;
    case 'cablePulled':
      return `   cable pulled at ${event.step} (${event.phase})`;
    case 'fault':
      return `   line fault: ${event.fault.fate} ${event.fault.direction} (${event.fault.request ?? '?'})`;
    case 'detached':
      return '   line gone';
  }
}

function parsePull(text: string | undefined): Omit<CablePull, 'pull'> | undefined {
  if (text === undefined) return undefined;
  const [step, phase = 'before'] = text.split(':');
  if (!requestKinds.includes(step as RequestKind) || (phase !== 'before' && phase !== 'after')) {
    throw new Error(
      `--pull-at ${text}: expected STEP or STEP:after, STEP one of ${requestKinds.join(', ')}`,
    );
  }
  return { step: step as RequestKind, phase };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      personality: { type: 'string' },
      link: { type: 'string' },
      serial: { type: 'string' },
      firmware: { type: 'string' },
      'pull-at': { type: 'string' },
      pace: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    say(usage);
    return 0;
  }
  const dir = values.dir ?? join(tmpdir(), 'wardkeep-sim');
  if (positionals[0] === 'setup') {
    const paths = writeSimulationWorld(dir, createSimulationWorld(Date.now()));
    say(`trust bundle: ${paths.trustBundle}`);
    say(`baseline publisher key: ${paths.baselinePublisher}`);
    say(`baseline: ${paths.baseline}`);
    say(`makers' keys (simulator only): ${paths.manufacturers}`);
    return 0;
  }
  if (positionals.length > 0 || !values.personality || !isPersonalityName(values.personality)) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const pullAt = parsePull(values['pull-at']);
  if (!existsSync(join(dir, 'manufacturers.json'))) {
    writeSimulationWorld(dir, createSimulationWorld(Date.now()));
    say(`made a simulated world in ${dir} (import its trust-bundle.pem and baseline.json)`);
  }
  const world = readSimulationWorld(dir);
  const personality = createPersonality(world, values.personality, {
    ...(values.serial === undefined ? {} : { serialNumber: values.serial }),
    ...(values.firmware === undefined ? {} : { firmwareVersion: values.firmware }),
  });
  let pair: PtyPair | undefined;
  let port: SerialPort;
  if (values.link) {
    port = await openSerialPort(values.link);
  } else {
    pair = await startPtyPair();
    port = await openSerialPort(pair.b);
    say(`console port: ${pair.a}`);
  }
  const { spec } = personality;
  say(
    `${personality.name}: ${spec.manufacturer} ${spec.model}, serial ${spec.serialNumber}, firmware ${spec.firmware.version}${spec.idevid ? '' : ', no IDevID'}`,
  );
  const device = createSimulatedDevice(spec);
  device.on((event) => {
    const line = describeEvent(event);
    if (line) say(line);
  });
  const stop = async (code: number): Promise<number> => {
    await closeSerialPort(port).catch(() => undefined);
    await pair?.stop();
    return code;
  };
  const attachment = device.attach(port, {
    ...(personality.line ? { line: personality.line } : {}),
    ...(values.pace ? { paceBytesPerSecond: serialBytesPerSecond } : {}),
    ...(pullAt
      ? {
          pullCableAt: {
            ...pullAt,
            pull: async () => {
              if (pair) await pair.pullCable();
              else await closeSerialPort(port);
            },
          },
        }
      : {}),
  });
  const signalled = new Promise<number>((resolve) => {
    process.once('SIGINT', () => resolve(130));
    process.once('SIGTERM', () => resolve(143));
  });
  const code = await Promise.race([signalled, attachment.detached.then(() => 0)]);
  return stop(code);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
