// The reference driver against devices that break the protocol in ways a session must not
// believe: a version outside the offer, a staged or installed bundle that is not the one sent.
// Real PTYs (socat) between the driver's link and a responder with a scripted handler.
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createPtyHarness } from '../../test/support/pty';
import { WardkeepFailure } from '../lib/errors';
import { verifySignature } from '../pki/keys';
import type { ResponseMessage } from './messages';
import { attestationStatement, bundleSha256, encodeMessage, messageTypes } from './messages';
import { createReferenceDriver } from './reference-driver';
import type { RequestHandler } from './responder';
import { createResponder, errorAnswer } from './responder';
import { manualScheduler } from './scheduler';

const ptys = createPtyHarness();
afterEach(() => ptys.cleanup());

async function driverFacing(handler: RequestHandler) {
  const pair = await ptys.pair();
  const consolePort = await ptys.open(pair.a);
  const devicePort = await ptys.open(pair.b);
  createResponder(devicePort, { handler });
  return createReferenceDriver(consolePort, { link: { scheduler: manualScheduler() } });
}

async function failureOf(promise: Promise<unknown>): Promise<WardkeepFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WardkeepFailure) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

const deviceKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

/** A device that follows the protocol, except where `lie` rewrites an answer. */
function scripted(lie: (answer: ResponseMessage) => ResponseMessage = (answer) => answer) {
  let sessionId: Uint8Array = new Uint8Array(16);
  const handler: RequestHandler = (request) => {
    switch (request.kind) {
      case 'hello':
        sessionId = request.sessionId;
        return lie({ kind: 'helloReply', version: 1, maxPayload: 32_768, state: 'factory' });
      case 'attest': {
        const firmwareSha256 = new Uint8Array(32).fill(7);
        const statement = attestationStatement({
          sessionId,
          challenge: request.challenge,
          key: request.key,
          signatureAlgorithm: 'ecdsa-p256-sha256',
          firmwareSha256,
          firmwareVersion: '4.2.1',
        });
        return lie({
          kind: 'attestation',
          firmwareVersion: '4.2.1',
          firmwareSha256,
          signatureAlgorithm: 'ecdsa-p256-sha256',
          signature: sign('sha256', statement, { key: deviceKey, dsaEncoding: 'der' }),
        });
      }
      case 'issue':
        return lie({
          kind: 'issueAccepted',
          bundleSha256: bundleSha256(encodeMessage(request).payload),
        });
      case 'install':
        return lie({ kind: 'installed', bundleSha256: request.bundleSha256 });
      case 'abort':
        return { kind: 'aborted' };
      default:
        return errorAnswer(messageTypes[request.kind], 'unexpected_message');
    }
  };
  return handler;
}

const bundle = {
  certificates: [new Uint8Array(300).fill(1)],
  trustAnchors: [new Uint8Array(300).fill(2)],
  zoneId: 'life-sustaining',
  vlan: 111,
};

describe('the reference driver', () => {
  it('hands back the exact statement the device signed, built from its own session id and challenge', async () => {
    const driver = await driverFacing(scripted());
    await driver.connect();
    const attestation = await driver.attest('idevid');
    expect(attestation).toMatchObject({
      key: 'idevid',
      firmwareVersion: '4.2.1',
      firmwareSha256: '07'.repeat(32),
    });
    expect(
      verifySignature({
        publicKey: deviceKey,
        algorithm: attestation.signatureAlgorithm,
        message: attestation.signedBytes,
        signature: attestation.signature,
      }),
    ).toBe(true);
    // A second attestation covers a fresh challenge: the same signature would not verify.
    const second = await driver.attest('idevid');
    expect(Buffer.from(second.signedBytes).equals(Buffer.from(attestation.signedBytes))).toBe(
      false,
    );
    driver.close();
  });

  it('refuses a version outside the one offered', async () => {
    const driver = await driverFacing(
      scripted((answer) => (answer.kind === 'helloReply' ? { ...answer, version: 2 } : answer)),
    );
    const failure = await failureOf(driver.connect());
    expect(failure.code).toBe('provision.protocol');
    expect(failure.details).toMatchObject({ operation: 'connect' });
    expect(failure.message).toBe('the device chose protocol version 2, outside the offered 1..1');
  });

  it('refuses a device that stages or installs a bundle other than the one sent', async () => {
    const staged = await driverFacing(
      scripted((answer) =>
        answer.kind === 'issueAccepted' ? { ...answer, bundleSha256: new Uint8Array(32) } : answer,
      ),
    );
    await staged.connect();
    const failure = await failureOf(staged.deliver(bundle));
    expect(failure).toMatchObject({
      code: 'provision.protocol',
      details: { operation: 'deliver' },
    });
    expect(failure.message).toMatch(/^the device staged bundle 0{64}, not the one sent/);

    const installed = await driverFacing(
      scripted((answer) =>
        answer.kind === 'installed'
          ? { ...answer, bundleSha256: new Uint8Array(32).fill(9) }
          : answer,
      ),
    );
    await installed.connect();
    await installed.deliver(bundle);
    const wrong = await failureOf(installed.install());
    expect(wrong).toMatchObject({ code: 'provision.protocol', details: { operation: 'install' } });
  });

  it('names the operation when the device refuses, and acknowledges an abort', async () => {
    const driver = await driverFacing(scripted());
    await driver.connect();
    const refused = await failureOf(driver.requestCertificate('ec-p256'));
    expect(refused).toMatchObject({
      code: 'provision.refused',
      details: { operation: 'requestCertificate', deviceCode: 'unexpected_message' },
    });
    await expect(driver.abort('operator_cancelled', 'the technician cancelled')).resolves.toBe(
      true,
    );
    expect(driver.stats).toMatchObject({ retransmissions: 0, framesRejected: 0 });
  });
});
