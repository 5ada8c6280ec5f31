// IPC handlers for bedside provisioning, the console's PKI, manufacturer trust and firmware
// baselines: thin adapters from the contract to the services of the open store. Every change is
// written with its audit record in one transaction; a provisioning session belongs to the window
// that started it, and only that window hears its steps, answers its zone question or cancels it.
import type { ParsedRequestOf } from '../../src-preload/contract';
import type { HandlerContext, HandlerGroup } from '../ipc/handlers';
import { requireSession } from '../ipc/handlers';
import { fail } from '../lib/errors';
import type { AppServices } from '../services';
import type { CertificateRecord, PublishedCrl } from '../pki/types';
import type { ProvisioningServiceEvent } from './service';

type ProvisioningChannel =
  | 'provision:ports'
  | 'provision:start'
  | 'provision:choose-zone'
  | 'provision:cancel'
  | 'provision:attempts'
  | 'provision:exceptions'
  | 'provision:exception-create'
  | 'provision:exception-review'
  | 'provision:exception-revoke'
  | 'pki:overview'
  | 'pki:create-authority'
  | 'pki:import-authority'
  | 'pki:certificates'
  | 'pki:expiring'
  | 'pki:revoke'
  | 'pki:issue'
  | 'pki:crl'
  | 'pki:chain'
  | 'trust:list'
  | 'trust:import'
  | 'trust:remove'
  | 'baseline:publisher'
  | 'baseline:import';

function day(services: AppServices): string {
  return new Date(services.clock.nowMs()).toISOString().slice(0, 10);
}

/** The running session, if this window started it; not_found otherwise (never another's). */
function requireOwnSession(context: HandlerContext, sessionId: string): void {
  if (context.services.provisioning().ownerOf(sessionId) !== context.clientId) {
    fail('not_found', `no provisioning session ${sessionId} is running in this window`);
  }
}

/**
 * Starts a session and forwards its events to the window. Events raised before the start answer
 * are held back and sent after it, so the window always knows the session id it hears about.
 */
async function startSession(
  request: ParsedRequestOf<'provision:start'>,
  context: HandlerContext,
): Promise<{ sessionId: string }> {
  const { services, clientId } = context;
  const session = requireSession(context);
  let sessionId: string | null = null;
  const held: ProvisioningServiceEvent[] = [];
  const forward = (event: ProvisioningServiceEvent): void => {
    if (sessionId === null) held.push(event);
    else services.emit(clientId, 'provision:event', { sessionId, event });
  };
  const started = await services.provisioning().start(
    {
      portPath: request.portPath,
      actor: session.username,
      owner: clientId,
      ...(request.zoneId === undefined
        ? { askPlacement: true }
        : {
            zoneId: request.zoneId,
            ...(request.vlan === undefined ? {} : { vlan: request.vlan }),
          }),
      ...(request.releaseQuarantine === undefined
        ? {}
        : { releaseQuarantine: request.releaseQuarantine }),
    },
    forward,
  );
  const id = started.sessionId;
  setImmediate(() => {
    sessionId = id;
    for (const event of held.splice(0))
      services.emit(clientId, 'provision:event', { sessionId: id, event });
  });
  // The store stays open while a session runs (services.closeStoreIfIdle); once it has written
  // its outcome, a store nobody else needs is closed.
  void started.outcome.then(
    () => setImmediate(() => services.closeStoreIfIdle()),
    () => setImmediate(() => services.closeStoreIfIdle()),
  );
  return { sessionId: id };
}

function certificateEntry(action: string, reason: string | null) {
  return (record: CertificateRecord) => ({
    action,
    target: record.serial,
    reason,
    details: {
      deviceUid: record.deviceUid,
      deviceSerial: record.deviceSerial,
      fingerprintSha256: record.fingerprintSha256,
      status: record.status,
    },
  });
}

export const provisioningHandlers: HandlerGroup<ProvisioningChannel> = {
  'provision:ports': (_request, { services }) => services.provisioning().listPorts(),
  'provision:start': startSession,
  'provision:choose-zone': (request, context) => {
    requireOwnSession(context, request.sessionId);
    context.services.provisioning().choosePlacement(request.sessionId, {
      zoneId: request.zoneId,
      ...(request.vlan === undefined ? {} : { vlan: request.vlan }),
    });
    return {};
  },
  'provision:cancel': (request, context) => {
    requireOwnSession(context, request.sessionId);
    context.services.provisioning().cancel(request.sessionId);
    return {};
  },
  'provision:attempts': (request, { services }) =>
    services.provisioning().attempts({
      ...(request.deviceUid === undefined ? {} : { deviceUid: request.deviceUid }),
      ...(request.limit === undefined ? {} : { limit: request.limit }),
    }),
  'provision:exceptions': (request, { services }) =>
    services.provisioning().exceptions.list({ includeRevoked: request.includeRevoked ?? false }),
  'provision:exception-create': (request, context) =>
    context.services.provisioning().exceptions.create(
      {
        deviceUid: request.deviceUid,
        risk: request.risk,
        compensatingControls: request.compensatingControls,
        ...(request.zoneId === undefined ? {} : { zoneId: request.zoneId }),
        owner: request.owner,
        reviewDate: request.reviewDate,
      },
      requireSession(context).username,
    ),
  'provision:exception-review': (request, context) =>
    context.services
      .provisioning()
      .exceptions.review(
        request.id,
        { reviewDate: request.reviewDate, note: request.note },
        requireSession(context).username,
      ),
  'provision:exception-revoke': (request, context) =>
    context.services
      .provisioning()
      .exceptions.revoke(request.id, request.reason, requireSession(context).username),

  'pki:overview': (_request, { services }) => {
    const pki = services.pki();
    const crl = pki.latestCrl();
    return {
      ...pki.status(),
      expiry: pki.expirySummary(),
      latestCrl:
        crl === null
          ? null
          : {
              crlNumber: crl.crlNumber,
              thisUpdate: crl.thisUpdate,
              nextUpdate: crl.nextUpdate,
              revokedCount: crl.revokedCount,
            },
    };
  },
  'pki:create-authority': async (request, { services }) => {
    // Key generation runs off the event loop and writes nothing; installing it is the change.
    const prepared = await services.pki().generateLocalAuthority({
      siteName: request.siteName,
      ...(request.keyAlgorithm === undefined ? {} : { keyAlgorithm: request.keyAlgorithm }),
      ...(request.rootValidityDays === undefined
        ? {}
        : { rootValidityDays: request.rootValidityDays }),
      ...(request.issuingValidityDays === undefined
        ? {}
        : { issuingValidityDays: request.issuingValidityDays }),
    });
    return services.audited(
      (summary) => ({
        action: 'pki.authority.create',
        target: summary.subject,
        details: {
          fingerprintSha256: summary.fingerprintSha256,
          keyAlgorithm: summary.keyAlgorithm,
          notAfter: summary.notAfter,
        },
      }),
      () => services.pki().installAuthority(prepared),
    );
  },
  'pki:import-authority': (request, { services }) => {
    const prepared = services
      .pki()
      .readAuthorityPkcs12(Buffer.from(request.pkcs12Base64, 'base64'), request.password, {
        siteName: request.siteName,
      });
    return services.audited(
      (summary) => ({
        action: 'pki.authority.import',
        target: summary.subject,
        details: {
          fingerprintSha256: summary.fingerprintSha256,
          keyAlgorithm: summary.keyAlgorithm,
          notAfter: summary.notAfter,
          chain: summary.chainSubjects,
        },
      }),
      () => services.pki().installAuthority(prepared),
    );
  },
  'pki:certificates': (request, { services }) =>
    services.pki().listCertificates({
      ...(request.deviceUid === undefined ? {} : { deviceUid: request.deviceUid }),
      ...(request.status === undefined ? {} : { status: request.status }),
      ...(request.limit === undefined ? {} : { limit: request.limit }),
      ...(request.offset === undefined ? {} : { offset: request.offset }),
    }),
  'pki:expiring': ({ withinDays }, { services }) => services.pki().listExpiring(withinDays),
  'pki:revoke': (request, { services }) =>
    services.audited(certificateEntry('certificate.revoke', request.reason), () =>
      services.pki().revoke(request.serial.toLowerCase(), request.reason),
    ),
  'pki:issue': (request, { services }) => {
    const device = services.inventory().getByUid(request.deviceUid);
    if (device.lifecycleState === 'decommissioned') {
      fail('input.invalid', `device ${device.uid} is decommissioned: it gets no certificate`, {
        field: 'deviceUid',
      });
    }
    const pki = services.pki();
    const issued = services.audited(
      (value: { serial: string }) => ({
        action: 'certificate.issue',
        target: value.serial,
        details: { deviceUid: device.uid, deviceSerial: device.serialNumber, manual: true },
      }),
      () => {
        const made = pki.issue({
          csr: request.csrPem,
          device: {
            uid: device.uid,
            name: (device.assetTag ?? `${device.model} ${device.serialNumber}`).slice(0, 64),
            serialNumber: device.serialNumber,
          },
        });
        pki.confirm(made.record.serial);
        return { serial: made.record.serial, certificatePem: made.certificatePem };
      },
    );
    return {
      certificate: pki.getCertificate(issued.serial),
      certificatePem: issued.certificatePem,
      chainPem: pki.authorityChainPem(),
    };
  },
  'pki:crl': async (_request, { services }) => {
    // Signed off the transaction (the key operation is slow), then recorded with its audit record.
    const published = await services.pki().publishCrl((write) =>
      services.audited(
        (crl: PublishedCrl) => ({
          action: 'pki.crl.publish',
          target: `crl ${crl.crlNumber}`,
          details: { crlNumber: crl.crlNumber, revoked: crl.revokedCount },
        }),
        write,
      ),
    );
    return {
      fileName: `wardkeep-crl-${published.crlNumber}-${day(services)}.crl.pem`,
      mimeType: 'application/pkix-crl',
      content: published.pem,
    };
  },
  'pki:chain': (_request, { services }) => ({
    fileName: `wardkeep-ca-chain-${day(services)}.pem`,
    mimeType: 'application/x-pem-file',
    content: services.pki().authorityChainPem(),
  }),

  'trust:list': (_request, { services }) => services.pki().listTrustAnchors(),
  'trust:import': (request, { services }) =>
    services.audited(
      (report) => ({
        action: 'trust.import',
        target: request.manufacturer ?? null,
        details: {
          added: report.added.map((anchor) => anchor.fingerprintSha256),
          alreadyTrusted: report.alreadyTrusted.length,
        },
      }),
      () =>
        services
          .pki()
          .importTrustBundle(
            request.pem,
            request.manufacturer === undefined ? {} : { manufacturer: request.manufacturer },
          ),
    ),
  'trust:remove': (request, { services }) => {
    const fingerprint = request.fingerprintSha256.replaceAll(':', '').toLowerCase();
    services.audited({ action: 'trust.remove', target: fingerprint }, () =>
      services.pki().removeTrustAnchor(fingerprint),
    );
    return {};
  },
  'baseline:publisher': (request, { services }) =>
    services.audited(
      (info) => ({
        action: 'baseline.publisher.set',
        target: info.fingerprintSha256,
        details: { algorithm: info.algorithm },
      }),
      () => services.pki().setBaselinePublisherKey(request.pem),
    ),
  'baseline:import': (request, { services }) =>
    services.audited(
      (summary) => ({
        action: 'baseline.import',
        target: `baseline ${summary.sequence}`,
        details: {
          sequence: summary.sequence,
          publisher: summary.publisher,
          models: summary.models,
          approvedImages: summary.approvedImages,
        },
      }),
      () => services.pki().importBaseline(request.content),
    ),
};
