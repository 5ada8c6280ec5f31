// The audit log's figures: appends per second with the tree kept current (per transaction, durable
// and with synchronous=OFF, and batched) beside the disk's commit cost, verify() over a million
// records (with its worker thread and without), list(), and proof sizes against ceil(log2 n). Uses
// a temporary directory; asserts nothing (targets: ≥ 5,000 appends/s, verify of 1,000,000 ≤ 5 s).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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
  /** Appends per second, each in its own transaction, with synchronous=OFF: no fsync, CPU-bound. */
  appendPerTransactionCpuBoundPerSecond: number;
  /** CPU time of one append in its own transaction (synchronous=OFF), microseconds. */
  appendPerTransactionCpuMicroseconds: number;
  /** The bare one-row transactions with synchronous=OFF. */
  bareCommitsCpuBoundPerSecond: number;
  /** What synchronous=FULL adds to one bare commit: the disk's flush, milliseconds. */
  fsyncMsPerCommit: number;
  /** Database pages one append's own transaction writes to the WAL (each encrypted on commit). */
  walFramesPerAppendCommit: number;
  /** The same for a bare one-row transaction. */
  walFramesPerBareCommit: number;
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
  /** CPU time of the median run, every thread of the process (the worker's too). */
  verifyCpuMs: number;
  verifyRecordsPerSecond: number;
  /**
   * CPU time of the busiest thread in the median run (Linux only, else 0): the wall time verify()
   * takes when each of its threads has a core to itself, however loaded the machine.
   */
  verifyBusiestThreadCpuMs: number;
  /** verify() with every chunk hashed on the calling thread: median wall and CPU time. */
  verifyInThreadMs: number;
  verifyInThreadCpuMs: number;
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

interface Rate {
  perSecond: number;
  cpuMicroseconds: number;
}

function rate(count: number, run: (n: number) => void): Rate {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let n = 0; n < count; n++) run(n);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: count / seconds, cpuMicroseconds: (used.user + used.system) / count };
}

function appendRate(db: SqliteDatabase, log: AuditLog, count: number, batch: number): Rate {
  const write = db.transaction((first: number, size: number) => {
    for (let n = first; n < first + size; n++) log.append(sampleEntry(n));
  });
  const batches = rate(Math.ceil(count / batch), (n) =>
    write(n * batch, Math.min(batch, count - n * batch)),
  );
  return {
    perSecond: batches.perSecond * batch,
    cpuMicroseconds: batches.cpuMicroseconds / batch,
  };
}

/** WAL frames (database pages) written per transaction of `write`, from an empty WAL. */
function walFramesPer(db: SqliteDatabase, count: number, write: () => void): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  for (let n = 0; n < count; n++) write();
  const [status] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
  return status!.log / count;
}

/** CPU time so far of each thread of this process, ms, from /proc (empty where there is none). */
function threadCpuMs(): Map<string, number> {
  const times = new Map<string, number>();
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    return times;
  }
  for (const thread of threads) {
    try {
      const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
      // Fields after the command name: utime and stime are the 12th and 13th, in 1/100 s.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times.set(thread, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
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
    const appendOne = small.db.transaction(() => smallLog.append(sampleEntry(smallLog.size())));
    small.db.exec('CREATE TABLE bare (id INTEGER PRIMARY KEY, value TEXT NOT NULL) STRICT');
    const bare = small.db.prepare('INSERT INTO bare (value) VALUES (?)');
    const bareCommit = small.db.transaction(() => bare.run('x'.repeat(300)));
    appendRate(small.db, smallLog, 200, 1);
    // Fewer than the 1,000 frames at which SQLite checkpoints on its own.
    const walFramesPerAppendCommit = walFramesPer(small.db, 50, appendOne);
    const walFramesPerBareCommit = walFramesPer(small.db, 50, bareCommit);
    const perTransaction = appendRate(small.db, smallLog, 3000, 1);
    const bareDurable = rate(3000, () => bareCommit());
    small.db.pragma('synchronous = OFF');
    const perTransactionCpuBound = appendRate(small.db, smallLog, 5000, 1);
    const bareCpuBound = rate(5000, () => bareCommit());
    small.db.pragma('synchronous = FULL');
    const batched = appendRate(small.db, smallLog, 20_000, 1000);
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
    const inThreadLog = createAuditLog({
      db: big.db,
      clock: systemClock,
      verifyTuning: { workerFrom: Number.POSITIVE_INFINITY },
    });
    const timeVerify = (subject: AuditLog): { ms: number; cpuMs: number; busiestMs: number } => {
      const threadsBefore = threadCpuMs();
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result = subject.verify();
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      let busiestMs = 0;
      for (const [thread, after] of threadCpuMs()) {
        busiestMs = Math.max(busiestMs, after - (threadsBefore.get(thread) ?? 0));
      }
      if (!result.ok || result.size !== records) {
        throw new Error(`verify of the benchmark log failed: ${JSON.stringify(result)}`);
      }
      return { ms, cpuMs: (used.user + used.system) / 1000, busiestMs };
    };
    // Alternated, so drift in the machine's load hits both alike.
    const verifyRuns: number[] = [];
    const verifyCpu: number[] = [];
    const verifyBusiest: number[] = [];
    const inThreadRuns: number[] = [];
    const inThreadCpu: number[] = [];
    for (let run = 0; run < runs; run++) {
      const threaded = timeVerify(log);
      verifyRuns.push(threaded.ms);
      verifyCpu.push(threaded.cpuMs);
      verifyBusiest.push(threaded.busiestMs);
      const inThread = timeVerify(inThreadLog);
      inThreadRuns.push(inThread.ms);
      inThreadCpu.push(inThread.cpuMs);
    }
    const verifyMs = median(verifyRuns);
    const medianRun = verifyRuns.indexOf(verifyMs);

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
      appendPerTransactionPerSecond: Math.round(perTransaction.perSecond),
      bareCommitsPerSecond: Math.round(bareDurable.perSecond),
      appendPerTransactionCpuBoundPerSecond: Math.round(perTransactionCpuBound.perSecond),
      appendPerTransactionCpuMicroseconds: Math.round(perTransactionCpuBound.cpuMicroseconds),
      bareCommitsCpuBoundPerSecond: Math.round(bareCpuBound.perSecond),
      fsyncMsPerCommit: round(1000 / bareDurable.perSecond - 1000 / bareCpuBound.perSecond, 3),
      walFramesPerAppendCommit: round(walFramesPerAppendCommit, 2),
      walFramesPerBareCommit: round(walFramesPerBareCommit, 2),
      appendBatchedPerSecond: Math.round(batched.perSecond),
      appendCpuMicroseconds: Math.round(batched.cpuMicroseconds),
      records,
      buildSeconds: round(buildSeconds),
      databaseMegabytes: round(databaseMegabytes),
      verifyMs: Math.round(verifyMs),
      verifyRuns: verifyRuns.map(Math.round),
      verifyCpuMs: Math.round(verifyCpu[medianRun] ?? median(verifyCpu)),
      verifyBusiestThreadCpuMs: Math.round(verifyBusiest[medianRun] ?? median(verifyBusiest)),
      verifyRecordsPerSecond: Math.round(records / (verifyMs / 1000)),
      verifyInThreadMs: Math.round(median(inThreadRuns)),
      verifyInThreadCpuMs: Math.round(median(inThreadCpu)),
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
