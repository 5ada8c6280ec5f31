// Words for the PKI's stored codes: certificate states, revocation reasons (RFC 5280 names) and
// where the CA came from. Total maps over the contract's vocabularies, so a new code fails the
// build until it has words.
import type { RequestOf, ResultOf } from '../../src-preload/contract';

export type RevocationReason = RequestOf<'pki:revoke'>['reason'];
type CertificateStatus = ResultOf<'pki:certificates'>[number]['status'];
type AuthorityOrigin = NonNullable<ResultOf<'pki:overview'>['authority']>['origin'];

export const revocationReasonLabels: Readonly<Record<RevocationReason, string>> = {
  unspecified: 'Unspecified',
  keyCompromise: 'Key compromise (the device key may be known to others)',
  cACompromise: 'CA compromise',
  affiliationChanged: 'Affiliation changed (moved to another site)',
  superseded: 'Superseded (replaced by a new certificate)',
  cessationOfOperation: 'Cessation of operation (device decommissioned)',
  privilegeWithdrawn: 'Privilege withdrawn',
};

export const certificateStatusLabels: Readonly<Record<CertificateStatus, string>> = {
  pending: 'Pending (not confirmed)',
  active: 'Active',
  revoked: 'Revoked',
  expired: 'Expired',
};

export const authorityOriginLabels: Readonly<Record<AuthorityOrigin, string>> = {
  local: 'Created on this console (stand-alone site)',
  imported: 'Sub-CA imported from the enterprise PKI',
};
