// The first provisioning driver: Wardkeep's reference protocol (docs/provisioning-protocol.md) over
// a ConsoleLink. It draws every session id, challenge and nonce itself, rebuilds each signed
// statement from those and the device's answer, and checks that the bundle digests the device
// reports are the SHA-256 of the ISSUE payload it sent (section 11.1), so the session above sees
// only domain values and bytes to verify.
import { randomBytes } from 'node:crypto';
import type {
  AbortReason,
  AttestationKey,
  DeviceAttestation,
  DeviceCertificateRequest,
  DeviceHello,
  DeviceIdentityClaim,
  DeviceKeyAlgorithm,
  DriverFactory,
  DriverOperation,
  DriverOptions,
  IssueBundle,
  ProvisioningDriver,
  SignedStatement,
} from './driver';
import type { ConsoleLink, ConsoleLinkOptions, LinkEvent } from './link';
import { createConsoleLink } from './link';
import type { Message, RequestKind } from './messages';
import {
  attestationStatement,
  bundleSha256,
  confirmationStatement,
  csrStatement,
  encodeMessage,
  toPrintableText,
} from './messages';
import type { ByteStream } from './stream';
import { WardkeepFailure } from '../lib/errors';

export const referenceProtocolName = 'wardkeep-reference-v1';

/** What INSTALL asks for (section 6): the device reverts if CONFIRM has not committed by then. */
export const defaultFailSafeSeconds = 120;

const operations: Readonly<Record<RequestKind, DriverOperation>> = {
  hello: 'connect',
  identify: 'identify',
  attest: 'attest',
  csrRequest: 'requestCertificate',
  issue: 'deliver',
  install: 'install',
  confirm: 'confirm',
  abort: 'abort',
};

export interface ReferenceDriverOptions extends DriverOptions {
  /** Shown on the device's display or written to its log. */
  consoleName?: string;
  failSafeSeconds?: number;
  /** Timers, retries, step timeouts and pacing of the link (its onEvent is the driver's). */
  link?: Omit<ConsoleLinkOptions, 'onEvent'>;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return Buffer.from(left).equals(Buffer.from(right));
}

/** Adds `operation` to the details of a failure from the link, so callers need not know kinds. */
function withOperation(error: unknown, operation: DriverOperation): unknown {
  if (!(error instanceof WardkeepFailure)) return error;
  const details = (error.details ?? {}) as Record<string, unknown>;
  return new WardkeepFailure(error.code, error.message, { ...details, operation });
}

export function createReferenceDriver(
  stream: ByteStream,
  options: ReferenceDriverOptions = {},
): ProvisioningDriver {
  const emit = options.onEvent ?? (() => undefined);
  const failSafeSeconds = options.failSafeSeconds ?? defaultFailSafeSeconds;
  const sessionId = new Uint8Array(randomBytes(16));
  let stagedSha256: Uint8Array | undefined;
  let installedSha256: Uint8Array | undefined;

  const link: ConsoleLink = createConsoleLink(stream, {
    ...options.link,
    onEvent: (event: LinkEvent) => {
      if (event.kind === 'sent') {
        emit({
          kind: 'attempt',
          operation: operations[event.step],
          attempt: event.attempt,
          timeoutMs: event.timeoutMs,
        });
      } else if (event.kind === 'frameRejected') {
        emit({ kind: 'noise', reason: event.rejection.message });
      }
    },
  });

  async function request<K extends RequestKind>(message: Message<K>, retries?: number) {
    const operation = operations[message.kind];
    try {
      return await link.request(message, retries === undefined ? {} : { retries });
    } catch (error) {
      throw withOperation(error, operation);
    }
  }

  function protocolFailure(operation: DriverOperation, message: string): WardkeepFailure {
    return new WardkeepFailure('provision.protocol', message, { operation });
  }

  return {
    protocol: referenceProtocolName,

    async connect(): Promise<DeviceHello> {
      const reply = await request({
        kind: 'hello',
        minVersion: 1,
        maxVersion: 1,
        sessionId,
        ...(options.consoleName === undefined
          ? {}
          : { consoleName: toPrintableText(options.consoleName, 64) }),
      });
      if (reply.version !== 1) {
        throw protocolFailure(
          'connect',
          `the device chose protocol version ${reply.version}, outside the offered 1..1`,
        );
      }
      link.useNegotiated({ version: reply.version, peerMaxPayload: reply.maxPayload });
      return { state: reply.state, protocolVersion: reply.version };
    },

    async identify(): Promise<DeviceIdentityClaim> {
      const identity = await request({ kind: 'identify' });
      return {
        manufacturer: identity.manufacturer,
        model: identity.model,
        serialNumber: identity.serialNumber,
        hardwareVersion: identity.hardwareVersion ?? null,
        udiDeviceIdentifier: identity.udiDeviceIdentifier ?? null,
        idevidChainDer: identity.idevidCertificates,
        committedCertificateSha256:
          identity.ldevidCertificateSha256 === undefined
            ? null
            : hex(identity.ldevidCertificateSha256),
      };
    },

    async attest(key: AttestationKey): Promise<DeviceAttestation> {
      const challenge = new Uint8Array(randomBytes(32));
      const answer = await request({ kind: 'attest', challenge, key });
      return {
        key,
        firmwareVersion: answer.firmwareVersion,
        firmwareSha256: hex(answer.firmwareSha256),
        signatureAlgorithm: answer.signatureAlgorithm,
        signature: answer.signature,
        signedBytes: attestationStatement({
          sessionId,
          challenge,
          key,
          signatureAlgorithm: answer.signatureAlgorithm,
          firmwareSha256: answer.firmwareSha256,
          firmwareVersion: answer.firmwareVersion,
        }),
      };
    },

    async requestCertificate(keyAlgorithm: DeviceKeyAlgorithm): Promise<DeviceCertificateRequest> {
      const nonce = new Uint8Array(randomBytes(32));
      const answer = await request({ kind: 'csrRequest', nonce, keyAlgorithm });
      // A new key replaces any staged bundle on the device (section 9).
      stagedSha256 = undefined;
      installedSha256 = undefined;
      return {
        keyAlgorithm,
        csrDer: answer.csr,
        signatureAlgorithm: answer.signatureAlgorithm,
        signature: answer.signature,
        signedBytes: csrStatement({
          sessionId,
          nonce,
          keyAlgorithm,
          signatureAlgorithm: answer.signatureAlgorithm,
          csr: answer.csr,
        }),
      };
    },

    async deliver(bundle: IssueBundle): Promise<void> {
      const message: Message<'issue'> = {
        kind: 'issue',
        certificates: bundle.certificates,
        trustAnchors: bundle.trustAnchors,
        zone: bundle.zoneId,
        vlan: bundle.vlan,
      };
      const sent = bundleSha256(encodeMessage(message).payload);
      const answer = await request(message);
      if (!sameBytes(answer.bundleSha256, sent)) {
        throw protocolFailure(
          'deliver',
          `the device staged bundle ${hex(answer.bundleSha256)}, not the one sent (${hex(sent)})`,
        );
      }
      stagedSha256 = sent;
      installedSha256 = undefined;
    },

    async install(): Promise<void> {
      const staged = stagedSha256;
      if (!staged) throw protocolFailure('install', 'install before a bundle was staged');
      const answer = await request({ kind: 'install', bundleSha256: staged, failSafeSeconds });
      if (!sameBytes(answer.bundleSha256, staged)) {
        throw protocolFailure(
          'install',
          `the device installed bundle ${hex(answer.bundleSha256)}, not the staged ${hex(staged)}`,
        );
      }
      installedSha256 = staged;
    },

    async confirm(): Promise<SignedStatement> {
      const installed = installedSha256;
      if (!installed) throw protocolFailure('confirm', 'confirm before the bundle was installed');
      const nonce = new Uint8Array(randomBytes(32));
      const answer = await request({ kind: 'confirm', nonce });
      return {
        signatureAlgorithm: answer.signatureAlgorithm,
        signature: answer.signature,
        signedBytes: confirmationStatement({
          sessionId,
          nonce,
          signatureAlgorithm: answer.signatureAlgorithm,
          bundleSha256: installed,
        }),
      };
    },

    async abort(reason: AbortReason, detail?: string): Promise<boolean> {
      if (link.isClosed) return false;
      try {
        // Once, as a courtesy (section 3.2): the device's idle timer ends the session anyway.
        await request(
          {
            kind: 'abort',
            code: reason,
            ...(detail === undefined ? {} : { detail: toPrintableText(detail, 256) }),
          },
          0,
        );
        return true;
      } catch {
        return false;
      }
    },

    close() {
      link.close('the provisioning session ended');
    },

    get stats() {
      const { requests, retransmissions, framesRejected } = link.stats;
      return { requests, retransmissions, framesRejected };
    },
  };
}

/** The reference driver as a factory for the driver registry. */
export function referenceDriverFactory(defaults: ReferenceDriverOptions = {}): DriverFactory {
  return (stream, options) => createReferenceDriver(stream, { ...defaults, ...options });
}
