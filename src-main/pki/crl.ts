// The certificate revocation list (RFC 5280 §5), built and signed by @peculiar/x509 through
// WebCrypto (node-forge has no CRL support). v2 with a CRL number and the issuing CA's key
// identifier; each entry has its revocation date and, except for `unspecified` (which RFC 5280
// says to leave out), its reason code. The issuer is the CA's subject exactly as encoded.
import { webcrypto } from 'node:crypto';
import type { webcrypto as WebCrypto } from 'node:crypto';
import { asn1, encodeDer, oids } from './der';
import type { KeyDescription } from './keys';
import type { RevocationReason } from './types';
import { revocationReasonCodes } from './types';
import { loadX509 } from './x509-loader';

const { Class, Type } = asn1;

export interface CrlEntryInput {
  serialHex: string;
  revokedAtMs: number;
  reason: RevocationReason;
}

export interface CrlInput {
  issuerNameDer: Buffer;
  authorityKeyIdentifier: Buffer;
  crlNumber: number;
  thisUpdateMs: number;
  nextUpdateMs: number;
  entries: readonly CrlEntryInput[];
  signingKeyPkcs8: Buffer;
  signingKey: KeyDescription;
}

function webCryptoAlgorithms(key: KeyDescription): {
  importAlgorithm: WebCrypto.RsaHashedImportParams | WebCrypto.EcKeyImportParams;
  signingAlgorithm: WebCrypto.Algorithm | WebCrypto.EcdsaParams;
} {
  switch (key.kind) {
    case 'rsa':
      return {
        importAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5' },
      };
    case 'ec':
      if (key.curve === 'P-521') break;
      return {
        importAlgorithm: { name: 'ECDSA', namedCurve: key.curve },
        signingAlgorithm: { name: 'ECDSA', hash: key.curve === 'P-256' ? 'SHA-256' : 'SHA-384' },
      };
    case 'ed25519':
      break;
  }
  throw new Error(`a ${key.name} key cannot sign CRLs`);
}

/** The DER of a signed CRL. Signing runs on the thread pool; the event loop is not held. */
export async function signCrl(input: CrlInput): Promise<Buffer> {
  const x509 = await loadX509();
  const { importAlgorithm, signingAlgorithm } = webCryptoAlgorithms(input.signingKey);
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    input.signingKeyPkcs8,
    importAlgorithm,
    false,
    ['sign'],
  );
  const crlNumber = encodeDer(
    asn1.create(
      Class.UNIVERSAL,
      Type.INTEGER,
      false,
      asn1.integerToDer(input.crlNumber).getBytes(),
    ),
  );
  const crl = await x509.X509CrlGenerator.create(
    {
      issuer: new x509.Name(input.issuerNameDer),
      thisUpdate: new Date(input.thisUpdateMs),
      nextUpdate: new Date(input.nextUpdateMs),
      signingAlgorithm,
      signingKey,
      extensions: [
        new x509.AuthorityKeyIdentifierExtension(input.authorityKeyIdentifier.toString('hex')),
        new x509.Extension(oids.crlNumber, false, crlNumber),
      ],
      entries: input.entries.map((entry) => ({
        serialNumber: entry.serialHex,
        revocationDate: new Date(entry.revokedAtMs),
        reason: revocationReasonCodes[entry.reason],
      })),
    },
    webcrypto,
  );
  return Buffer.from(crl.rawData);
}
