// The console's PKI: the issuing CA (its key as PKCS#8 DER, encrypted with the rest of the
// database) and its chain, the device certificates it issued and their states, published CRLs,
// trusted manufacturer CAs and approved firmware baselines. Triggers refuse what must never
// happen: deleting or rewriting an issued certificate, un-revoking one, a pending certificate
// coming back after it was confirmed.
import type { Database as SqliteDatabase } from 'better-sqlite3-multiple-ciphers';

export const version = 4;
export const name = 'pki';

export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE pki_settings (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      site_name TEXT,
      certificate_validity_days INTEGER NOT NULL
        CHECK (certificate_validity_days BETWEEN 1 AND 3650),
      crl_validity_days INTEGER NOT NULL CHECK (crl_validity_days BETWEEN 1 AND 365),
      baseline_publisher_spki BLOB,
      baseline_publisher_fingerprint TEXT,
      baseline_publisher_algorithm TEXT CHECK (
        baseline_publisher_algorithm = 'ed25519' OR
        baseline_publisher_algorithm = 'ecdsa-p256-sha256' OR
        baseline_publisher_algorithm = 'rsa-pss-sha256'),
      baseline_publisher_configured_at_ms INTEGER,
      CHECK ((baseline_publisher_spki IS NULL) = (baseline_publisher_fingerprint IS NULL))
    ) STRICT;
    INSERT INTO pki_settings (id, certificate_validity_days, crl_validity_days) VALUES (1, 730, 7);

    CREATE TABLE pki_authorities (
      id INTEGER PRIMARY KEY,
      origin TEXT NOT NULL CHECK (origin = 'local' OR origin = 'imported'),
      -- 1 for the issuing CA in use, NULL once replaced: UNIQUE keeps at most one current.
      current INTEGER UNIQUE CHECK (current = 1),
      certificate_der BLOB NOT NULL,
      fingerprint_sha256 TEXT NOT NULL UNIQUE,
      private_key_pkcs8 BLOB NOT NULL,
      subject TEXT NOT NULL,
      key_algorithm TEXT NOT NULL,
      not_before_ms INTEGER NOT NULL,
      not_after_ms INTEGER NOT NULL,
      installed_at_ms INTEGER NOT NULL,
      -- Bumped by every revocation under this CA: a CRL signed before a bump is stale.
      revocation_revision INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    CREATE TABLE pki_authority_chain (
      authority_id INTEGER NOT NULL REFERENCES pki_authorities (id),
      -- 1 is the issuing CA's issuer; the highest position is the self-signed root.
      position INTEGER NOT NULL CHECK (position >= 1),
      certificate_der BLOB NOT NULL,
      fingerprint_sha256 TEXT NOT NULL,
      subject TEXT NOT NULL,
      -- The local root's key (it signs the next issuing CA); NULL for enterprise certificates.
      private_key_pkcs8 BLOB,
      PRIMARY KEY (authority_id, position)
    ) STRICT;

    CREATE TABLE pki_certificates (
      serial TEXT PRIMARY KEY CHECK (length(serial) = 32 AND serial NOT GLOB '*[^0-9a-f]*'),
      authority_id INTEGER NOT NULL REFERENCES pki_authorities (id),
      device_uid TEXT NOT NULL,
      device_name TEXT NOT NULL,
      device_serial TEXT NOT NULL,
      -- SHA-256 of (SubjectPublicKeyInfo DER ‖ 0x00 ‖ device uid): the same CSR for the same
      -- device finds its certificate again.
      request_key TEXT NOT NULL,
      public_key_sha256 TEXT NOT NULL,
      key_algorithm TEXT NOT NULL,
      subject TEXT NOT NULL,
      fingerprint_sha256 TEXT NOT NULL UNIQUE,
      certificate_der BLOB NOT NULL,
      not_before_ms INTEGER NOT NULL,
      not_after_ms INTEGER NOT NULL,
      issued_at_ms INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state = 'pending' OR state = 'active' OR state = 'revoked'),
      confirmed_at_ms INTEGER,
      revoked_at_ms INTEGER,
      revocation_reason TEXT CHECK (
        revocation_reason = 'unspecified' OR revocation_reason = 'keyCompromise' OR
        revocation_reason = 'cACompromise' OR revocation_reason = 'affiliationChanged' OR
        revocation_reason = 'superseded' OR revocation_reason = 'cessationOfOperation' OR
        revocation_reason = 'privilegeWithdrawn'),
      abandoned INTEGER NOT NULL DEFAULT 0 CHECK (abandoned = 0 OR abandoned = 1),
      renews_serial TEXT REFERENCES pki_certificates (serial),
      CHECK ((state = 'revoked') = (revoked_at_ms IS NOT NULL)),
      CHECK ((state = 'revoked') = (revocation_reason IS NOT NULL)),
      CHECK (abandoned = 0 OR (state = 'revoked' AND confirmed_at_ms IS NULL))
    ) STRICT;
    CREATE INDEX pki_certificates_request ON pki_certificates (request_key, issued_at_ms);
    CREATE INDEX pki_certificates_public_key ON pki_certificates (public_key_sha256);
    CREATE INDEX pki_certificates_device ON pki_certificates (device_uid, issued_at_ms);
    CREATE INDEX pki_certificates_expiry ON pki_certificates (not_after_ms)
      WHERE state <> 'revoked';
    CREATE INDEX pki_certificates_revoked ON pki_certificates (authority_id, revoked_at_ms)
      WHERE state = 'revoked';
    CREATE INDEX pki_certificates_pending ON pki_certificates (issued_at_ms)
      WHERE state = 'pending';

    CREATE TRIGGER pki_certificates_kept BEFORE DELETE ON pki_certificates
    BEGIN
      SELECT RAISE(ABORT, 'issued certificates are never deleted');
    END;
    CREATE TRIGGER pki_certificates_fixed
    BEFORE UPDATE OF serial, authority_id, device_uid, request_key, public_key_sha256,
      fingerprint_sha256, certificate_der, not_before_ms, not_after_ms, issued_at_ms
    ON pki_certificates
    BEGIN
      SELECT RAISE(ABORT, 'an issued certificate does not change');
    END;
    CREATE TRIGGER pki_certificates_state BEFORE UPDATE OF state ON pki_certificates
    WHEN OLD.state = 'revoked' OR (OLD.state = 'active' AND NEW.state = 'pending')
    BEGIN
      SELECT RAISE(ABORT, 'a revoked certificate stays revoked; an active one never returns to pending');
    END;

    CREATE TABLE pki_crls (
      authority_id INTEGER NOT NULL REFERENCES pki_authorities (id),
      crl_number INTEGER NOT NULL CHECK (crl_number >= 1),
      this_update_ms INTEGER NOT NULL,
      next_update_ms INTEGER NOT NULL,
      revoked_count INTEGER NOT NULL,
      crl_der BLOB NOT NULL,
      PRIMARY KEY (authority_id, crl_number)
    ) STRICT;

    CREATE TABLE pki_trust_anchors (
      id INTEGER PRIMARY KEY,
      fingerprint_sha256 TEXT NOT NULL UNIQUE,
      manufacturer TEXT NOT NULL,
      subject TEXT NOT NULL,
      certificate_der BLOB NOT NULL,
      not_after_ms INTEGER NOT NULL,
      imported_at_ms INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE pki_baselines (
      id INTEGER PRIMARY KEY,
      sequence INTEGER NOT NULL CHECK (sequence >= 1),
      publisher TEXT NOT NULL,
      issued_at TEXT NOT NULL,
      payload_sha256 TEXT NOT NULL,
      publisher_fingerprint TEXT NOT NULL,
      -- The signed file as imported, so the approval can be verified again later.
      signed_file BLOB NOT NULL,
      imported_at_ms INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE pki_firmware_approvals (
      baseline_id INTEGER NOT NULL REFERENCES pki_baselines (id),
      manufacturer_key TEXT NOT NULL,
      model_key TEXT NOT NULL,
      manufacturer TEXT NOT NULL,
      model TEXT NOT NULL,
      version TEXT NOT NULL,
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
      PRIMARY KEY (baseline_id, manufacturer_key, model_key, version, sha256)
    ) STRICT, WITHOUT ROWID;
  `);
}
