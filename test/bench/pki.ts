// `benchPki()`: how fast the console issues LDevIDs and whether issuing stalls the event loop.
// 200 RSA-2048 device keys and their CSRs are made first (not timed); then each CSR is issued in
// its own event-loop turn, as provisioning requests arrive, on a real encrypted store, while
// perf_hooks' event-loop delay histogram and a 5 ms timer probe watch for stalls. Targets
// (≥ 40 certificates/s, no stall over 50 ms) are reported beside the figures, never asserted.
import type { KeyObject } from 'node:crypto';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { systemClock } from '../../src-main/lib/clock';
import type { Logger } from '../../src-main/lib/logger';
import type { AuthorityKeyAlgorithm } from '../../src-main/pki/authority';
import { createCertificationRequest } from '../../src-main/pki/csr';
import { createPki } from '../../src-main/pki/service';
import { openDatabase } from '../../src-main/store/database';
import { applyPkiMigration } from '../../src-main/pki/testing';

export interface PkiBenchResult {
  certificates: number;
  authorityKeyAlgorithm: AuthorityKeyAlgorithm;
  certificatesPerSecond: number;
  issueMedianMs: number;
  issueP99Ms: number;
  /** The longest the event loop was held during the issuing run (histogram and probe). */
  longestStallMs: number;
  /** Publishing a CRL that lists every certificate of the run. */
  crlPublishMs: number;
  targets: { certificatesPerSecond: string; longestStallMs: string };
}

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const generateKeyPairAsync = promisify(generateKeyPair);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (value: number): number => Math.round(value * 100) / 100;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function benchPki(
  options: { certificates?: number; authorityKeyAlgorithm?: AuthorityKeyAlgorithm } = {},
): Promise<PkiBenchResult> {
  const count = options.certificates ?? 200;
  const authorityKeyAlgorithm = options.authorityKeyAlgorithm ?? 'rsa-3072';
  const workDir = mkdtempSync(join(tmpdir(), 'wardkeep-bench-pki-'));
  const db = openDatabase(join(workDir, 'wardkeep.db'), randomBytes(32));
  try {
    applyPkiMigration(db);
    const pki = createPki({ db, clock: systemClock, logger: quiet });
    pki.installAuthority(
      await pki.generateLocalAuthority({
        siteName: 'Bench Hospital',
        keyAlgorithm: authorityKeyAlgorithm,
      }),
    );

    // Not timed: the devices' keys (on the thread pool) and their CSRs.
    const keys: KeyObject[] = [];
    // One more than the run: the first warms the CA up and is not counted.
    for (let start = 0; start <= count; start += 16) {
      const batch = Array.from({ length: Math.min(16, count + 1 - start) }, () =>
        generateKeyPairAsync('rsa', { modulusLength: 2048 }).then((pair) => pair.privateKey),
      );
      keys.push(...(await Promise.all(batch)));
    }
    const csrs = keys.map((key, n) =>
      createCertificationRequest(key, [{ oid: '2.5.4.3', value: `bench device ${n}` }]),
    );
    pki.issue({
      csr: csrs[count]!,
      device: { uid: 'warm-up', name: 'Warm-up', serialNumber: 'W0' },
    });

    const histogram = monitorEventLoopDelay({ resolution: 1 });
    let probeWorstMs = 0;
    let probeLast = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      probeWorstMs = Math.max(probeWorstMs, now - probeLast - 5);
      probeLast = now;
    }, 5);
    const durations: number[] = [];
    const serials: string[] = [];
    histogram.enable();
    const started = performance.now();
    for (let n = 0; n < count; n++) {
      await nextTurn();
      const issueStarted = performance.now();
      const issued = pki.issue({
        csr: csrs[n]!,
        device: { uid: `bench-${n}`, name: `Bench device ${n}`, serialNumber: `BENCH-${n}` },
      });
      durations.push(performance.now() - issueStarted);
      serials.push(issued.record.serial);
    }
    const elapsedMs = performance.now() - started;
    await nextTurn();
    histogram.disable();
    clearInterval(probe);

    for (const serial of serials) pki.revoke(serial, 'cessationOfOperation');
    const crlStarted = performance.now();
    const crl = await pki.publishCrl();
    const crlPublishMs = performance.now() - crlStarted;
    if (crl.revokedCount !== count) throw new Error(`CRL lists ${crl.revokedCount} of ${count}`);

    return {
      certificates: count,
      authorityKeyAlgorithm,
      certificatesPerSecond: round((count / elapsedMs) * 1000),
      issueMedianMs: round(percentile(durations, 50)),
      issueP99Ms: round(percentile(durations, 99)),
      longestStallMs: round(Math.max(histogram.max / 1e6 - 1, probeWorstMs, 0)),
      crlPublishMs: round(crlPublishMs),
      targets: { certificatesPerSecond: '>= 40', longestStallMs: '<= 50' },
    };
  } finally {
    db.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('pki.ts')) {
  void (async () => {
    for (const authorityKeyAlgorithm of ['rsa-3072', 'ecdsa-p256'] as const) {
      console.log(JSON.stringify(await benchPki({ authorityKeyAlgorithm })));
    }
  })();
}
