// The simulated world the devices come from: genuine makers whose root CAs the console trusts, a
// counterfeiter using a genuine maker's name, and a signed firmware baseline approving the genuine
// models' images. Made fresh at run time (keys by node:crypto); `writeSimulationWorld` puts it in a
// directory for the demo (`npm run sim -- setup --dir DIR`), private keys readable by the owner
// only, and the baseline publisher's private key is dropped once the baseline is signed.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceClass } from '../../src-preload/contract';
import { signBaseline } from '../../src-main/pki/baseline';
import type { Manufacturer, ManufacturerPem } from './manufacturer';
import { createManufacturer, manufacturerFromPem, manufacturerToPem } from './manufacturer';

export interface ProductLine {
  maker: string;
  model: string;
  deviceClass: DeviceClass;
  /** Versions on the approved baseline (the last is what a device runs by default). */
  approvedVersions: string[];
}

export const productLines = {
  infusion: {
    maker: 'Medica Infusion Systems',
    model: 'InfuPro 3000',
    deviceClass: 'infusion_pump',
    approvedVersions: ['4.2.0', '4.2.1'],
  },
  monitor: {
    maker: 'Vitalis Monitoring',
    model: 'VM-800',
    deviceClass: 'patient_monitor',
    approvedVersions: ['2.7.0'],
  },
  legacy: {
    maker: 'OldCo Medical',
    model: 'Volumat 1',
    deviceClass: 'infusion_pump',
    approvedVersions: [],
  },
} as const satisfies Record<string, ProductLine>;

export interface SimulationWorld {
  /** The time the certificates were made for (a test's frozen clock, or now). */
  nowMs: number;
  genuine: { infusion: Manufacturer; monitor: Manufacturer };
  /** Not in the trust bundle, though it signs with a genuine maker's name. */
  counterfeiter: Manufacturer;
  /** PEM of the genuine makers' roots: what the console imports as trusted manufacturers. */
  trustBundlePem: string;
  /** The signed baseline file and the publisher's public key that verifies it. */
  baselineFile: string;
  baselinePublisherPem: string;
  baselineSequence: number;
}

/** The SHA-256 (hex) of a simulated firmware image: distinct per maker, model and version. */
export function firmwareImageSha256(maker: string, model: string, version: string): string {
  return createHash('sha256')
    .update(`firmware image ${maker} / ${model} / ${version}`)
    .digest('hex');
}

export function createSimulationWorld(nowMs: number, baselineSequence = 1): SimulationWorld {
  const infusion = createManufacturer(productLines.infusion.maker, nowMs);
  const monitor = createManufacturer(productLines.monitor.maker, nowMs);
  const counterfeiter = createManufacturer(productLines.infusion.maker, nowMs);
  const publisher = generateKeyPairSync('ed25519');
  const baselineFile = signBaseline(
    {
      sequence: baselineSequence,
      publisher: 'Clinical Engineering (simulation)',
      issuedAt: new Date(nowMs - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      models: [productLines.infusion, productLines.monitor].map((line) => ({
        manufacturer: line.maker,
        model: line.model,
        approved: line.approvedVersions.map((version) => ({
          version,
          sha256: firmwareImageSha256(line.maker, line.model, version),
        })),
      })),
    },
    publisher.privateKey,
  );
  const pem = (maker: Manufacturer) => manufacturerToPem(maker).rootCertificate;
  return {
    nowMs,
    genuine: { infusion, monitor },
    counterfeiter,
    trustBundlePem: pem(infusion) + pem(monitor),
    baselineFile,
    baselinePublisherPem: publisher.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    baselineSequence,
  };
}

interface WorldFile {
  nowMs: number;
  genuine: { infusion: ManufacturerPem; monitor: ManufacturerPem };
  counterfeiter: ManufacturerPem;
  baselineSequence: number;
}

export interface WrittenWorld {
  /** Makers' CA keys, for the simulator only (mode 0600). */
  manufacturers: string;
  trustBundle: string;
  baseline: string;
  baselinePublisher: string;
}

/** Writes the world to `dir` for the demo and returns the paths. */
export function writeSimulationWorld(dir: string, world: SimulationWorld): WrittenWorld {
  mkdirSync(dir, { recursive: true });
  const paths: WrittenWorld = {
    manufacturers: join(dir, 'manufacturers.json'),
    trustBundle: join(dir, 'trust-bundle.pem'),
    baseline: join(dir, 'baseline.json'),
    baselinePublisher: join(dir, 'baseline-publisher.pem'),
  };
  const file: WorldFile = {
    nowMs: world.nowMs,
    genuine: {
      infusion: manufacturerToPem(world.genuine.infusion),
      monitor: manufacturerToPem(world.genuine.monitor),
    },
    counterfeiter: manufacturerToPem(world.counterfeiter),
    baselineSequence: world.baselineSequence,
  };
  writeFileSync(paths.manufacturers, JSON.stringify(file, null, 2), { mode: 0o600 });
  chmodSync(paths.manufacturers, 0o600);
  writeFileSync(paths.trustBundle, world.trustBundlePem);
  writeFileSync(paths.baseline, world.baselineFile);
  writeFileSync(paths.baselinePublisher, world.baselinePublisherPem);
  return paths;
}

export function readSimulationWorld(dir: string): SimulationWorld {
  const file = JSON.parse(readFileSync(join(dir, 'manufacturers.json'), 'utf8')) as WorldFile;
  const infusion = manufacturerFromPem(file.genuine.infusion);
  const monitor = manufacturerFromPem(file.genuine.monitor);
  return {
    nowMs: file.nowMs,
    genuine: { infusion, monitor },
    counterfeiter: manufacturerFromPem(file.counterfeiter),
    trustBundlePem: readFileSync(join(dir, 'trust-bundle.pem'), 'utf8'),
    baselineFile: readFileSync(join(dir, 'baseline.json'), 'utf8'),
    baselinePublisherPem: readFileSync(join(dir, 'baseline-publisher.pem'), 'utf8'),
    baselineSequence: file.baselineSequence,
  };
}
