// The simulator's cast: the devices a clinical engineer meets at the bedside, each made from the
// simulated world with a fresh IDevID. Genuine pumps and monitors provision; a legacy pump has no
// crypto at all; a clone carries another device's IDevID; a counterfeit's IDevID comes from a maker
// the console does not trust; one pump runs tampered firmware; a flaky one sits on a bad line.
import { randomBytes } from 'node:crypto';
import type { DeviceClass } from '../../src-preload/contract';
import type { KeyAlgorithm } from '../../src-main/provisioning/messages';
import type { SimulatedDeviceSpec } from './device';
import type { LineFaultPlan } from './line';
import { firstFramesPlan } from './line';
import type { IdevidKeyType } from './manufacturer';
import { mintIdevid } from './manufacturer';
import type { ProductLine, SimulationWorld } from './world';
import { firmwareImageSha256, productLines } from './world';

export const personalityNames = [
  'infusion-pump',
  'patient-monitor',
  'legacy',
  'clone',
  'counterfeit',
  'tampered-firmware',
  'flaky',
] as const;
export type PersonalityName = (typeof personalityNames)[number];

export interface PersonalityOptions {
  /** The serial the device reports; random by default. */
  serialNumber?: string;
  firmwareVersion?: string;
  /** Key types it can make for its LDevID. */
  keyAlgorithms?: KeyAlgorithm[];
  idevidKeyType?: IdevidKeyType;
}

export interface Personality {
  name: PersonalityName;
  spec: SimulatedDeviceSpec;
  /** The class to give a device new to the inventory. */
  deviceClass: DeviceClass;
  /** The line it comes with (the flaky one's is damaged). */
  line?: LineFaultPlan;
}

export function isPersonalityName(name: string): name is PersonalityName {
  return (personalityNames as readonly string[]).includes(name);
}

function randomSerial(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

function genuine(
  world: SimulationWorld,
  label: string,
  line: ProductLine,
  maker: SimulationWorld['genuine']['infusion'],
  prefix: string,
  options: PersonalityOptions,
  defaults: { idevidKeyType: IdevidKeyType; keyAlgorithms: KeyAlgorithm[] },
): SimulatedDeviceSpec {
  const serialNumber = options.serialNumber ?? randomSerial(prefix);
  const version =
    options.firmwareVersion ?? line.approvedVersions[line.approvedVersions.length - 1]!;
  return {
    label,
    manufacturer: line.maker,
    model: line.model,
    serialNumber,
    hardwareVersion: 'rev C',
    idevid: mintIdevid(maker, {
      model: line.model,
      serialNumber,
      keyType: options.idevidKeyType ?? defaults.idevidKeyType,
      nowMs: world.nowMs,
    }),
    firmware: { version, sha256: firmwareImageSha256(line.maker, line.model, version) },
    keyAlgorithms: options.keyAlgorithms ?? defaults.keyAlgorithms,
  };
}

export function createPersonality(
  world: SimulationWorld,
  name: PersonalityName,
  options: PersonalityOptions = {},
): Personality {
  const pump = (label: string) =>
    genuine(world, label, productLines.infusion, world.genuine.infusion, 'IP3', options, {
      idevidKeyType: 'ec-p256',
      keyAlgorithms: ['ec-p256', 'rsa-2048'],
    });
  switch (name) {
    case 'infusion-pump':
      return { name, spec: pump(name), deviceClass: 'infusion_pump' };
    case 'patient-monitor':
      return {
        name,
        spec: genuine(world, name, productLines.monitor, world.genuine.monitor, 'VM8', options, {
          idevidKeyType: 'rsa-2048',
          keyAlgorithms: ['ec-p256', 'rsa-2048'],
        }),
        deviceClass: 'patient_monitor',
      };
    case 'legacy': {
      const version = options.firmwareVersion ?? '1.3';
      return {
        name,
        spec: {
          label: name,
          manufacturer: productLines.legacy.maker,
          model: productLines.legacy.model,
          serialNumber: options.serialNumber ?? randomSerial('VOL'),
          idevid: null,
          firmware: {
            version,
            sha256: firmwareImageSha256(
              productLines.legacy.maker,
              productLines.legacy.model,
              version,
            ),
          },
          keyAlgorithms: [],
        },
        deviceClass: 'infusion_pump',
      };
    }
    case 'clone': {
      // A genuine pump's IDevID and key, copied into a device labelled with another serial.
      const original = pump(name);
      return {
        name,
        spec: { ...original, serialNumber: options.serialNumber ?? randomSerial('IP3') },
        deviceClass: 'infusion_pump',
      };
    }
    case 'counterfeit': {
      const line = productLines.infusion;
      const serialNumber = options.serialNumber ?? randomSerial('IP3');
      const version = line.approvedVersions[line.approvedVersions.length - 1]!;
      return {
        name,
        spec: {
          ...pump(name),
          serialNumber,
          idevid: mintIdevid(world.counterfeiter, {
            model: line.model,
            serialNumber,
            nowMs: world.nowMs,
          }),
          firmware: { version, sha256: firmwareImageSha256(line.maker, line.model, version) },
        },
        deviceClass: 'infusion_pump',
      };
    }
    case 'tampered-firmware': {
      const spec = pump(name);
      // The approved version's number over an image that is not the approved one.
      const sha256 = firmwareImageSha256(
        spec.manufacturer,
        spec.model,
        `${spec.firmware.version}+patched`,
      );
      return {
        name,
        spec: { ...spec, firmware: { ...spec.firmware, sha256 } },
        deviceClass: 'infusion_pump',
      };
    }
    case 'flaky':
      return {
        name,
        spec: pump(name),
        deviceClass: 'infusion_pump',
        line: flakyLine(),
      };
  }
}

/**
 * The flaky pump's line: noise before every answer, its first IDENTITY answer corrupted, its
 * first ISSUE lost on the way in, and its first CSR answer lost on the way out. Each costs the
 * console one retransmission.
 */
export function flakyLine(): LineFaultPlan {
  return firstFramesPlan(
    [
      { direction: 'toConsole', request: 'identify', fate: 'corrupt' },
      { direction: 'toConsole', request: 'csrRequest', fate: 'drop' },
      { direction: 'toDevice', request: 'issue', fate: 'drop' },
    ],
    7,
  );
}
