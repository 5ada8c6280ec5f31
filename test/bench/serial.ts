// Figures for the provisioning link over a socat PTY pair opened as serial ports: round trip of a
// small request, time and throughput of a 16 KiB certificate chain each way, and the frame
// decoder's rate. A PTY has no baud rate, so these measure our stack; a real 115200 8N1 line adds
// about 87 µs per byte (16 KiB ≈ 1.45 s) on top.
import { createFrameDecoder, encodeFrame } from '../../src-main/provisioning/frame';
import { createConsoleLink } from '../../src-main/provisioning/link';
import type { Message } from '../../src-main/provisioning/messages';
import { bundleSha256, encodeMessage } from '../../src-main/provisioning/messages';
import { createResponder } from '../../src-main/provisioning/responder';
import { createPtyHarness } from '../support/pty';

export interface SerialBenchResult {
  /** Median and 95th percentile of IDENTIFY → IDENTITY (about 1 KiB back) round trips. */
  roundTripMedianMs: number;
  roundTripP95Ms: number;
  /** ISSUE carrying a 16 KiB chain → ISSUE_ACCEPTED: median time and wire bytes per second. */
  issue16KiBMedianMs: number;
  issue16KiBBytesPerSecond: number;
  /** IDENTIFY → IDENTITY carrying a 16 KiB chain. */
  identity16KiBMedianMs: number;
  identity16KiBBytesPerSecond: number;
  /** Frames of 32-byte payloads decoded from 4 KiB chunks. */
  decoderFramesPerSecond: number;
  decoderMegabytesPerSecond: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const certificate = (size: number, fill: number): Uint8Array =>
  new Uint8Array(size).map((_, index) => (index * 31 + fill) & 0xff);

export async function benchSerial(
  options: { roundTrips?: number; largeRuns?: number } = {},
): Promise<SerialBenchResult> {
  const roundTrips = options.roundTrips ?? 300;
  const largeRuns = options.largeRuns ?? 25;
  const ptys = createPtyHarness();
  try {
    const pair = await ptys.pair();
    const consolePort = await ptys.open(pair.a);
    const devicePort = await ptys.open(pair.b);
    const chain = [1, 2, 3, 4].map((fill) => certificate(4096, fill));
    const smallIdentity: Message<'identity'> = {
      kind: 'identity',
      manufacturer: 'Acme Medical',
      model: 'Infusa 3',
      serialNumber: 'SN-0042',
      idevidCertificates: [certificate(900, 1)],
    };
    let identity = smallIdentity;
    createResponder(devicePort, {
      handler: (request) => {
        if (request.kind === 'identify') return identity;
        if (request.kind === 'issue') {
          return {
            kind: 'issueAccepted',
            bundleSha256: bundleSha256(encodeMessage(request).payload),
          };
        }
        return { kind: 'error', code: 'unexpected_message', requestType: 0 };
      },
    });
    const link = createConsoleLink(consolePort);

    const time = async (run: () => Promise<unknown>): Promise<number> => {
      const started = performance.now();
      await run();
      return performance.now() - started;
    };

    for (let warm = 0; warm < 20; warm++) await link.request({ kind: 'identify' });
    const small: number[] = [];
    for (let run = 0; run < roundTrips; run++) {
      small.push(await time(() => link.request({ kind: 'identify' })));
    }

    const issue: Message<'issue'> = {
      kind: 'issue',
      certificates: chain,
      trustAnchors: [certificate(1024, 9)],
      zone: 'infusion-icu',
      vlan: 210,
    };
    const issueEncoded = encodeMessage(issue);
    const issueWireBytes = encodeFrame({
      version: 1,
      type: issueEncoded.type,
      requestId: 1,
      payload: issueEncoded.payload,
    }).length;
    const issueTimes: number[] = [];
    for (let run = 0; run < largeRuns; run++)
      issueTimes.push(await time(() => link.request(issue)));

    identity = { ...smallIdentity, idevidCertificates: chain };
    const identityEncoded = encodeMessage(identity);
    const identityWireBytes = encodeFrame({
      version: 1,
      type: identityEncoded.type,
      requestId: 1,
      payload: identityEncoded.payload,
    }).length;
    const identityTimes: number[] = [];
    for (let run = 0; run < largeRuns; run++) {
      identityTimes.push(await time(() => link.request({ kind: 'identify' })));
    }
    link.close();

    const decoder = decoderRate();
    return {
      roundTripMedianMs: median(small),
      roundTripP95Ms: percentile(small, 95),
      issue16KiBMedianMs: median(issueTimes),
      issue16KiBBytesPerSecond: issueWireBytes / (median(issueTimes) / 1000),
      identity16KiBMedianMs: median(identityTimes),
      identity16KiBBytesPerSecond: identityWireBytes / (median(identityTimes) / 1000),
      ...decoder,
    };
  } finally {
    await ptys.cleanup();
  }
}

function decoderRate(): { decoderFramesPerSecond: number; decoderMegabytesPerSecond: number } {
  const frames = Array.from({ length: 100_000 }, (_, index) =>
    encodeFrame({ version: 1, type: 0x82, requestId: index, payload: certificate(32, index) }),
  );
  const stream = Buffer.concat(frames);
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const decoder = createFrameDecoder();
    let decoded = 0;
    const started = performance.now();
    for (let offset = 0; offset < stream.length; offset += 4096) {
      decoded += decoder.push(stream.subarray(offset, offset + 4096)).length;
    }
    const seconds = (performance.now() - started) / 1000;
    if (decoded !== frames.length) throw new Error(`decoded ${decoded} of ${frames.length} frames`);
    rates.push(decoded / seconds);
  }
  const framesPerSecond = median(rates);
  return {
    decoderFramesPerSecond: framesPerSecond,
    decoderMegabytesPerSecond: (framesPerSecond * (stream.length / frames.length)) / 1e6,
  };
}
