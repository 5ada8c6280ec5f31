// The audit log's figures: appends per second with the tree kept current (one transaction each,
// and batched), verify() over a million records, list() on them, and proof sizes against
// ceil(log2 n). Builds its databases in a temporary directory and removes them; returns numbers
// and asserts nothing (targets: ≥ 5,000 appends/s, verify of 1,000,000 records ≤ 5 s).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog } from '../../src-main/audit/log';
import type { AuditFilter, AuditLog } from '../../src-main/audit/log';
import { ceilLog2 } from '../../src-main/audit/merkle';
import { openAuditDatabase, sampleEntry } from '../../src-main/audit/test-fixture';
import { systemClock } from '../../src-main/lib/clock';
import type { SqliteDatabase } from '../../src-main/store/database';

export interface AuditBenchFigures {
  /** Appends per second, each in its own durable transaction (WAL, synchronous=FULL). */
  appendPerTransactionPerSecond: number;
  /** Transactions per second that write one 300-byte row and no audit record: the disk's bound. */
  bareCommitsPerSecond: number;
  /** Appends per second, 1,000 per transaction. */
  appendBatchedPerSecond: number;
  /** CPU time of one append in a batch, microseconds. */
  appendCpuMicroseconds: number;
  records: number;
  buildSeconds: number;
  databaseMegabytes: number;
  /** Median wall time of verify() over every record, its checkpoints and the tree state. */
  verifyMs: number;
  verifyRuns: number[];
  /** CPU time of the median run: less sensitive to other work on a shared machine. */
  verifyCpuMs: number;
  verifyRecordsPerSecond: number;
  listMedianMs: Record<string, number>;
  proofs: {
    treeSize: number;
    ceilLog2: number;
    maxInclusionHashes: number;
    maxConsistencyHashes: number;
    medianInclusionProofMs: number;
  };
  checkpointMs: number;
  /** 1-minute load average before the verify runs: above the core count, figures are inflated. */
  loadAverage: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round(value: number, places = 1): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

function appendRate(db: SqliteDatabase, log: AuditLog, count: number, batch: number): number {
  const write = db.transaction((first: number, size: number) => {
    for (let n = first; n < first + size; n++) log.append(sampleEntry(n));
  });
  const started = performance.now();
  for (let done = 0; done < count; done += batch) write(done, Math.min(batch, count - done));
  return count / ((performance.now() - started) / 1000);
}

/** A seeded generator, so every run samples the same proofs. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export function benchAudit(
  options: { records?: number; verifyRuns?: number } = {},
): AuditBenchFigures {
  const records = options.records ?? Number(process.env.WARDKEEP_BENCH_AUDIT_RECORDS ?? 1_000_000);
  const runs = options.verifyRuns ?? 3;
  const workDir = mkdtempSync(join(tmpdir(), 'wardkeep-bench-audit-'));
  try {
    const small = openAuditDatabase(workDir, 'append.db');
    const smallLog = createAuditLog({ db: small.db, clock: systemClock });
    appendRate(small.db, smallLog, 200, 1);
    const appendPerTransactionPerSecond = appendRate(small.db, smallLog, 3000, 1);
    small.db.exec('CREATE TABLE bare (id INTEGER PRIMARY KEY, value TEXT NOT NULL) STRICT');
    const bare = small.db.prepare('INSERT INTO bare (value) VALUES (?)');
    const bareCommit = small.db.transaction(() => bare.run('x'.repeat(300)));
    const bareStarted = performance.now();
    for (let n = 0; n < 3000; n++) bareCommit();
    const bareCommitsPerSecond = 3000 / ((performance.now() - bareStarted) / 1000);
    const cpu = process.cpuUsage();
    const appendBatchedPerSecond = appendRate(small.db, smallLog, 20_000, 1000);
    const appendCpu = process.cpuUsage(cpu);
    small.db.close();

    const big = openAuditDatabase(workDir, 'million.db');
    const log = createAuditLog({ db: big.db, clock: systemClock });
    const buildStarted = performance.now();
    const write = big.db.transaction((first: number, size: number) => {
      for (let n = first; n < first + size; n++) log.append(sampleEntry(n));
    });
    const checkpointEvery = Math.max(1, Math.floor(records / 10));
    for (let done = 0; done < records; done += 10_000) {
      write(done, Math.min(10_000, records - done));
      if (Math.floor((done + 10_000) / checkpointEvery) > Math.floor(done / checkpointEvery)) {
        log.checkpoint();
      }
    }
    const checkpointStarted = performance.now();
    log.checkpoint();
    const checkpointMs = performance.now() - checkpointStarted;
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    big.db.pragma('wal_checkpoint(TRUNCATE)');
    const databaseMegabytes = statSync(big.file).size / 2 ** 20;

    const loadAverage = loadavg()[0]!;
    const verifyRuns: number[] = [];
    const verifyCpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result = log.verify();
      verifyRuns.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      verifyCpu.push((used.user + used.system) / 1000);
      if (!result.ok || result.size !== records) {
        throw new Error(`verify of the benchmark log failed: ${JSON.stringify(result)}`);
      }
    }
    const verifyMs = median(verifyRuns);

    const filters: Record<string, AuditFilter> = {
      first_page: {},
      actor: { actor: 'user3' },
      action_domain: { action: 'auth' },
      action_prefix: { action: 'pki.certificate' },
      action_prefix_offset: { action: 'pki.certificate', offset: 5000 },
      actor_and_time: {
        actor: 'user3',
        fromTime: new Date(Date.now() - 86_400_000).toISOString(),
        toTime: new Date().toISOString(),
      },
      outcome_denied: { outcome: 'denied' },
      emergency: { emergency: true },
      time_range: {
        fromTime: new Date(Date.now() - 3_600_000).toISOString(),
        toTime: new Date().toISOString(),
      },
      actor_and_outcome: { actor: 'user2', outcome: 'failure' },
      deep_page: { offset: 50_000, limit: 100 },
      sequence_range: { fromSequence: Math.floor(records / 2), toSequence: records, limit: 100 },
    };
    const listMedianMs: Record<string, number> = {};
    for (const [name, filter] of Object.entries(filters)) {
      log.list(filter);
      const times: number[] = [];
      for (let run = 0; run < 15; run++) {
        const started = performance.now();
        log.list(filter);
        times.push(performance.now() - started);
      }
      listMedianMs[name] = round(median(times), 2);
    }

    const random = seeded(9162);
    let maxInclusionHashes = 0;
    let maxConsistencyHashes = 0;
    const proofTimes: number[] = [];
    for (let sample = 0; sample < 200; sample++) {
      const sequence = 1 + Math.floor(random() * records);
      const started = performance.now();
      const proof = log.inclusionProof(sequence);
      proofTimes.push(performance.now() - started);
      maxInclusionHashes = Math.max(maxInclusionHashes, proof.hashes.length);
      const fromSize = 1 + Math.floor(random() * records);
      const consistency = log.consistencyProof(fromSize);
      maxConsistencyHashes = Math.max(maxConsistencyHashes, consistency.hashes.length);
    }
    big.db.close();

    return {
      appendPerTransactionPerSecond: Math.round(appendPerTransactionPerSecond),
      bareCommitsPerSecond: Math.round(bareCommitsPerSecond),
      appendBatchedPerSecond: Math.round(appendBatchedPerSecond),
      appendCpuMicroseconds: Math.round((appendCpu.user + appendCpu.system) / 20_000),
      records,
      buildSeconds: round(buildSeconds),
      databaseMegabytes: round(databaseMegabytes),
      verifyMs: Math.round(verifyMs),
      verifyRuns: verifyRuns.map(Math.round),
      verifyCpuMs: Math.round(median(verifyCpu)),
      verifyRecordsPerSecond: Math.round(records / (verifyMs / 1000)),
      listMedianMs,
      proofs: {
        treeSize: records,
        ceilLog2: ceilLog2(records),
        maxInclusionHashes,
        maxConsistencyHashes,
        medianInclusionProofMs: round(median(proofTimes), 2),
      },
      checkpointMs: round(checkpointMs, 2),
      loadAverage: round(loadAverage, 2),
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
