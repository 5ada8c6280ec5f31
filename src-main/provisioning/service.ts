// Bedside provisioning as the IPC handlers and the CLI use it: list the serial ports, start a
// session on one (the port opened exclusively, closed when the session ends), answer the wizard's
// zone question, cancel, and read the history and the legacy-device exceptions. Drivers are looked
// up by protocol name, so a vendor protocol is one more entry in the registry.
import type { DeviceClass } from '../../src-preload/contract';
import { WardkeepFailure, fail } from '../lib/errors';
import type { DeviceKeyAlgorithm, DriverFactory } from './driver';
import type { ExceptionRegistry } from './exceptions';
import { createExceptionRegistry } from './exceptions';
import type { SerialPortCandidate } from './ports';
import { closeSerialPort, listSerialPorts, openSerialPort } from './ports';
import type { AttemptFilter, AttemptRecord, ProvisioningRecords } from './records';
import { referenceDriverFactory, referenceProtocolName } from './reference-driver';
import type {
  IdentifiedDevice,
  PlacementChoice,
  ProvisioningEvent,
  ProvisioningOutcome,
  SessionDependencies,
} from './session';
import { runProvisioningSession } from './session';
import type { ByteStream } from './stream';
import type { SqliteDatabase } from '../store/database';

export interface ZoneOption {
  id: string;
  name: string;
  vlans: { id: number; name: string }[];
}

export type ProvisioningServiceEvent =
  | ProvisioningEvent
  /** The wizard asks the operator for a zone; answer with choosePlacement(sessionId, …). */
  | { kind: 'placement.needed'; device: IdentifiedDevice; zones: ZoneOption[] };

export interface StartRequest {
  portPath: string;
  /** Protocol name in the driver registry; default the reference protocol. */
  protocol?: string;
  /** Who runs it (the signed-in user). */
  actor: string | null;
  /** A fixed zone (and VLAN). Without one: ask (`askPlacement`) or keep the device's zone. */
  zoneId?: string;
  vlan?: number;
  /** Emit `placement.needed` once the device is known and wait for choosePlacement. */
  askPlacement?: boolean;
  deviceClass?: DeviceClass;
  keyAlgorithms?: DeviceKeyAlgorithm[];
  releaseQuarantine?: boolean;
  /** Who may answer and cancel it: the window (IPC client) that started it. */
  owner?: string;
}

export interface StartedSession {
  sessionId: string;
  outcome: Promise<ProvisioningOutcome>;
}

export interface ProvisioningService {
  /** Serial ports the system lists, plus `include` paths that exist (simulator PTYs). */
  listPorts(include?: readonly string[]): Promise<SerialPortCandidate[]>;
  /** Opens the port (provision.port if it cannot) and runs a session on it. */
  start(
    request: StartRequest,
    onEvent?: (event: ProvisioningServiceEvent) => void,
  ): Promise<StartedSession>;
  /** start() and wait for the outcome: the CLI's `wardkeep provision`. */
  provision(
    request: StartRequest,
    onEvent?: (event: ProvisioningServiceEvent) => void,
  ): Promise<ProvisioningOutcome>;
  /** Answers a session's placement.needed; not_found when it is not waiting for one. */
  choosePlacement(sessionId: string, choice: PlacementChoice): void;
  /** Ends a session at its next step (ABORT operator_cancelled); not_found if not running. */
  cancel(sessionId: string): void;
  /** Ids of the sessions running now. */
  running(): string[];
  /** The owner a session was started with, or null when it is not running. */
  ownerOf(sessionId: string): string | null;
  /** Cancels every running session of an owner (its window closed or its user signed out). */
  cancelOwnedBy(owner: string): void;
  attempts(filter?: AttemptFilter): AttemptRecord[];
  readonly exceptions: ExceptionRegistry;
}

export interface ProvisioningServiceOptions extends SessionDependencies {
  db: SqliteDatabase;
  records: ProvisioningRecords;
  /** Protocol name → driver; the reference protocol is always there unless replaced. */
  drivers?: Readonly<Record<string, DriverFactory>>;
  /** Opens a port; default openSerialPort (115200 8N1, exclusive). */
  openPort?: (path: string) => Promise<ByteStream>;
  closePort?: (port: ByteStream) => Promise<void>;
  /** Named on the device's display. */
  consoleName?: string;
}

interface Running {
  controller: AbortController;
  owner: string | null;
  placement?: { resolve(choice: PlacementChoice): void; reject(error: Error): void };
}

export function createProvisioningService(
  options: ProvisioningServiceOptions,
): ProvisioningService {
  const drivers: Record<string, DriverFactory> = {
    [referenceProtocolName]: referenceDriverFactory(
      options.consoleName === undefined ? {} : { consoleName: options.consoleName },
    ),
    ...options.drivers,
  };
  const openPort = options.openPort ?? ((path: string) => openSerialPort(path));
  const closePort =
    options.closePort ??
    ((port: ByteStream) => closeSerialPort(port as Parameters<typeof closeSerialPort>[0]));
  const sessions = new Map<string, Running>();
  const exceptions = createExceptionRegistry({
    db: options.db,
    clock: options.clock,
    ids: options.ids,
    audit: options.audit,
    ...(options.network ? { network: options.network } : {}),
  });

  function zoneOptions(): ZoneOption[] {
    if (!options.network) return [];
    return options.network
      .current()
      .policy.zones.map((zone) => ({
        id: zone.id,
        name: zone.name,
        vlans: zone.vlans.map((vlan) => ({ id: vlan.id, name: vlan.name })),
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async function start(
    request: StartRequest,
    onEvent: (event: ProvisioningServiceEvent) => void = () => undefined,
  ): Promise<StartedSession> {
    const protocol = request.protocol ?? referenceProtocolName;
    const factory = drivers[protocol];
    if (!factory) {
      fail('input.invalid', `no provisioning driver is registered for protocol "${protocol}"`, {
        field: 'protocol',
      });
    }
    if (typeof request.portPath !== 'string' || request.portPath.length === 0) {
      fail('input.invalid', 'portPath must name a serial port', { field: 'portPath' });
    }
    const port = await openPort(request.portPath);
    const sessionId = options.ids.next();
    const running: Running = { controller: new AbortController(), owner: request.owner ?? null };
    sessions.set(sessionId, running);
    const placement =
      request.zoneId !== undefined
        ? { zoneId: request.zoneId, ...(request.vlan === undefined ? {} : { vlan: request.vlan }) }
        : request.askPlacement
          ? (device: IdentifiedDevice) =>
              new Promise<PlacementChoice>((resolve, reject) => {
                running.placement = { resolve, reject };
                onEvent({ kind: 'placement.needed', device, zones: zoneOptions() });
              })
          : undefined;
    const outcome = runProvisioningSession(
      (driverOptions) => factory(port, driverOptions),
      options,
      {
        actor: request.actor,
        portPath: request.portPath,
        signal: running.controller.signal,
        onEvent,
        ...(placement === undefined ? {} : { placement }),
        ...(request.deviceClass === undefined ? {} : { deviceClass: request.deviceClass }),
        ...(request.keyAlgorithms === undefined ? {} : { keyAlgorithms: request.keyAlgorithms }),
        ...(request.releaseQuarantine === undefined
          ? {}
          : { releaseQuarantine: request.releaseQuarantine }),
      },
    ).finally(async () => {
      sessions.delete(sessionId);
      await closePort(port).catch(() => undefined);
    });
    return { sessionId, outcome };
  }

  function cancelRunning(running: Running): void {
    running.controller.abort();
    const waiting = running.placement;
    running.placement = undefined;
    waiting?.reject(new WardkeepFailure('input.invalid', 'cancelled by the operator'));
  }

  function requireRunning(sessionId: string): Running {
    const running = sessions.get(sessionId);
    if (!running) fail('not_found', `no provisioning session ${sessionId} is running`);
    return running;
  }

  return {
    listPorts: (include = []) => listSerialPorts({ include }),
    start,
    async provision(request, onEvent) {
      const started = await start(request, onEvent);
      return started.outcome;
    },
    choosePlacement(sessionId, choice) {
      const running = requireRunning(sessionId);
      const waiting = running.placement;
      if (!waiting) fail('not_found', `session ${sessionId} is not waiting for a zone`);
      running.placement = undefined;
      waiting.resolve(choice);
    },
    cancel(sessionId) {
      cancelRunning(requireRunning(sessionId));
    },
    running: () => [...sessions.keys()],
    ownerOf: (sessionId) => sessions.get(sessionId)?.owner ?? null,
    cancelOwnedBy(owner) {
      for (const running of sessions.values()) {
        if (running.owner === owner) cancelRunning(running);
      }
    },
    attempts: (filter) => options.records.listAttempts(filter),
    exceptions,
  };
}
