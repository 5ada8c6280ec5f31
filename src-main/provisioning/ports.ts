// Serial ports for bedside provisioning: opened at 115200 8N1 with no flow control (XON/XOFF
// would eat 0x11 and 0x13 bytes of binary frames) and locked against a second opener, listed
// from the system plus any paths given (pseudo-terminals of the simulator are not enumerated).
import { realpath, stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { WardkeepFailure } from '../lib/errors';

export const serialLineSettings = {
  baudRate: 115_200,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  rtscts: false,
  xon: false,
  xoff: false,
  xany: false,
} as const;

interface ListedPort {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

export interface SerialPortCandidate {
  /** What to pass to openSerialPort. */
  path: string;
  /** `system`: enumerated by the operating system; `given`: named by the caller. */
  source: 'system' | 'given';
  /** The device node the path leads to, when it is a link (a PTY link in tests). */
  resolvedPath?: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

/**
 * Opens `path` at 115200 8N1 (or `baudRate`). Rejects with provision.port naming the path when
 * it does not exist, is busy (locked by another process) or cannot be configured.
 */
export async function openSerialPort(
  path: string,
  options: { baudRate?: number } = {},
): Promise<SerialPort> {
  return new Promise<SerialPort>((resolve, reject) => {
    const port: SerialPort = new SerialPort(
      { ...serialLineSettings, path, baudRate: options.baudRate ?? serialLineSettings.baudRate },
      (error) => {
        if (!error) {
          resolve(port);
          return;
        }
        reject(
          new WardkeepFailure(
            'provision.port',
            `cannot open serial port ${path}: ${error.message}`,
            {
              path,
            },
          ),
        );
      },
    );
  });
}

/** Closes a port; resolves also when it is closed already (a pulled cable closes it). */
export async function closeSerialPort(port: SerialPort): Promise<void> {
  if (!port.isOpen) return;
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

/**
 * Serial ports the operating system lists, then each of `include` that exists (resolved through
 * links, and left out when it names a port already listed). Paths in `include` that do not exist
 * are left out: the caller named a simulator that is not running.
 */
export async function listSerialPorts(
  options: { include?: readonly string[] } = {},
): Promise<SerialPortCandidate[]> {
  // serialport's PortInfo type does not resolve under "Bundler" resolution (its package exports
  // name no types), so the fields read here are declared here.
  const listed = (await SerialPort.list()) as unknown as ListedPort[];
  const candidates: SerialPortCandidate[] = listed.map((info) => ({
    path: info.path,
    source: 'system',
    ...defined({
      manufacturer: info.manufacturer,
      serialNumber: info.serialNumber,
      vendorId: info.vendorId,
      productId: info.productId,
    }),
  }));
  const seen = new Set<string>();
  for (const candidate of candidates)
    seen.add(await realpath(candidate.path).catch(() => candidate.path));
  for (const path of options.include ?? []) {
    const resolved = await realpath(path).catch(() => undefined);
    if (resolved === undefined || seen.has(resolved)) continue;
    const info = await stat(resolved).catch(() => undefined);
    if (!info?.isCharacterDevice()) continue;
    seen.add(resolved);
    candidates.push({
      path,
      source: 'given',
      ...(resolved === path ? {} : { resolvedPath: resolved }),
    });
  }
  return candidates;
}

function defined<T extends Record<string, string | undefined>>(
  values: T,
): { [K in keyof T]?: string } {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ) as { [K in keyof T]?: string };
}
