// Pseudo-terminal pairs for serial tests: one socat per pair, linking two PTYs whose paths it
// reports; ready when socat says its transfer loop started (read from its stderr, never a
// sleep). "Pulling the cable" kills socat, which closes both PTYs under whatever holds them open.
// No vitest import here, so the benchmark can use it too: tests call cleanup() in afterEach.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialPort } from 'serialport';
import { closeSerialPort, openSerialPort } from '../../src-main/provisioning/ports';

export interface PtyPair {
  /** The two ends: what one end's holder writes, the other's reads. */
  a: string;
  b: string;
  /** socat's process id (to tell it apart in a report). */
  pid: number;
  /** Kills socat at once, as a pulled cable would cut the line, and waits for it to exit. */
  pullCable(): Promise<void>;
  /** Stops socat (if still running), waits for it to exit, and removes the links' directory. */
  stop(): Promise<void>;
}

/** Starts `socat -d -d pty,raw,echo=0,link=<dir>/a pty,raw,echo=0,link=<dir>/b`. */
export async function startPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'wardkeep-pty-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const socat = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => {
    if (socat.exitCode !== null || socat.signalCode !== null) resolve();
    else socat.once('exit', () => resolve());
  });
  try {
    await waitUntilReady(socat);
  } catch (error) {
    socat.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (socat.exitCode === null && socat.signalCode === null) socat.kill(signal);
    await exited;
  };
  return {
    a,
    b,
    pid: socat.pid!,
    pullCable: () => kill('SIGKILL'),
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function waitUntilReady(socat: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let log = '';
    let ptys = 0;
    const onData = (chunk: Buffer): void => {
      log += chunk.toString('utf8');
      ptys = (log.match(/ N PTY is \/dev\/\S+/g) ?? []).length;
      // socat makes both PTYs (and their links) before it enters its transfer loop.
      if (ptys === 2 && log.includes('starting data transfer loop')) {
        // Keep draining stderr, or socat could block on a full pipe.
        socat.stderr!.off('data', onData);
        socat.stderr!.resume();
        socat.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null, signal: string | null): void =>
      reject(new Error(`socat exited (${signal ?? code}) before its PTYs were ready: ${log}`));
    socat.once('error', (error) =>
      reject(new Error(`socat could not be started: ${error.message}`)),
    );
    socat.once('exit', onExit);
    socat.stderr!.on('data', onData);
  });
}

export interface PtyHarness {
  /** A new PTY pair, stopped in cleanup(). */
  pair(): Promise<PtyPair>;
  /** Opens a PTY end as a serial port at 115200 8N1, closed in cleanup(). */
  open(path: string): Promise<SerialPort>;
  /** Closes every port, then stops every socat and waits for each to exit. */
  cleanup(): Promise<void>;
}

/** For a test file: `const ptys = createPtyHarness(); afterEach(() => ptys.cleanup());` */
export function createPtyHarness(): PtyHarness {
  const pairs: PtyPair[] = [];
  const ports: SerialPort[] = [];
  return {
    async pair() {
      const pair = await startPtyPair();
      pairs.push(pair);
      return pair;
    },
    async open(path) {
      const port = await openSerialPort(path);
      ports.push(port);
      return port;
    },
    async cleanup() {
      for (const port of ports.splice(0)) await closeSerialPort(port);
      for (const pair of pairs.splice(0)) await pair.stop();
    },
  };
}
