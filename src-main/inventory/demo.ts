// A synthetic hospital group for demos and benchmarks: sites, buildings, wards, and devices with
// plausible (invented) manufacturers, valid UDIs, MACs, addresses and firmware. Deterministic: the
// same seed and count give the same rows (a seeded PRNG, never Math.random), and every row has a
// unique manufacturer + serial number and asset tag at any count, and passes validateDeviceRecord.
import type {
  Criticality,
  DeviceClass,
  LifecycleState,
  UdiIssuer,
} from '../../src-preload/contract';
import type { CanonicalRow } from './demo-csv';
import { gs1CheckDigit } from './device-fields';

export type DemoDevice = CanonicalRow;

/** sfc32 seeded through splitmix32: small, fast and good enough for synthetic data. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

interface Model {
  name: string;
  itemReference: string;
  serialPrefix: string;
  firmware: readonly string[];
  endOfLife: string;
}

interface Manufacturer {
  name: string;
  issuer: UdiIssuer;
  /** GS1 company prefix (7 digits) or HIBCC labeler code (4 characters). */
  labeler: string;
  /** A locally administered OUI, so no real vendor's block is implied. */
  oui: string;
  models: Partial<Record<DeviceClass, readonly Model[]>>;
}

const model = (
  name: string,
  itemReference: string,
  serialPrefix: string,
  firmware: readonly string[],
  endOfLife: string,
): Model => ({ name, itemReference, serialPrefix, firmware, endOfLife });

const manufacturers: readonly Manufacturer[] = [
  {
    name: 'Meridian Infusion Systems',
    issuer: 'GS1',
    labeler: '0845611',
    oui: '02:4d:49',
    models: {
      infusion_pump: [
        model('FlowLine 300', '30001', 'FL3', ['3.2.1', '3.4.0', '3.4.2'], '2027-12-31'),
        model('FlowLine 500', '50001', 'FL5', ['5.0.8', '5.1.0'], '2031-06-30'),
      ],
      syringe_pump: [model('FlowLine SP', '30010', 'FLS', ['2.9.4', '3.0.1'], '2029-03-31')],
    },
  },
  {
    name: 'Halvorsen Medical',
    issuer: 'HIBCC',
    labeler: 'H417',
    oui: '06:48:4d',
    models: {
      infusion_pump: [
        model('Infusia LVP', 'INFLVP', 'HIL', ['11.2', '11.3', '12.0'], '2026-09-30'),
      ],
      anesthesia_machine: [model('Somna A3', 'SOMA3', 'HSA', ['4.1.0', '4.2.3'], '2030-12-31')],
      other: [model('BedSense Exit Alarm', 'BEDSNS', 'HBS', ['1.0.4'], '2028-01-31')],
    },
  },
  {
    name: 'Corvane Healthcare',
    issuer: 'GS1',
    labeler: '0761203',
    oui: '0a:43:56',
    models: {
      patient_monitor: [
        model('CareWatch M8', '80800', 'CWM', ['8.1.0', '8.2.2', '8.3.0'], '2029-06-30'),
      ],
      workstation: [model('ClinicPC W2', '20200', 'CPW', ['BIOS 1.14', 'BIOS 1.16'], '2027-03-31')],
      infusion_pump: [model('VeraFlow 2', '20020', 'CVF', ['2.0.5', '2.1.0'], '2032-12-31')],
    },
  },
  {
    name: 'Solvane Monitoring',
    issuer: 'GS1',
    labeler: '0698431',
    oui: '0e:53:4f',
    models: {
      patient_monitor: [
        model('VitaView 12', '12012', 'VV12', ['12.4.1', '12.5.0'], '2028-12-31'),
        model('VitaView 15', '15015', 'VV15', ['15.0.3', '15.1.1'], '2033-06-30'),
      ],
      telemetry: [model('TeleLink T4', '40004', 'TLT', ['4.6.0', '4.7.2'], '2029-09-30')],
      ecg: [model('ECG Lite 3', '30003', 'EKL', ['3.3.3'], '2026-06-30')],
    },
  },
  {
    name: 'Aerion Respiratory',
    issuer: 'GS1',
    labeler: '0712954',
    oui: '12:41:52',
    models: {
      ventilator: [
        model('BreathPro 700', '70007', 'BP7', ['7.12.0', '7.14.1'], '2030-03-31'),
        model('BreathPro Transport', '70077', 'BPT', ['2.5.0'], '2029-12-31'),
      ],
      anesthesia_machine: [model('Anesta 5', '50005', 'AN5', ['5.2.0', '5.3.1'], '2031-12-31')],
    },
  },
  {
    name: 'Nordlys Medical',
    issuer: 'GS1',
    labeler: '0590217',
    oui: '16:4e:4c',
    models: {
      patient_monitor: [model('Lumen PM7', '77007', 'LPM', ['7.0.2', '7.1.0'], '2027-06-30')],
      ventilator: [model('Ventra ICU', '60006', 'VIC', ['6.6.1', '6.8.0'], '2032-06-30')],
    },
  },
  {
    name: 'Pulsar Cardiac',
    issuer: 'GS1',
    labeler: '0633580',
    oui: '1a:50:43',
    models: {
      defibrillator: [
        model('ShockGuard AED', '10101', 'SGA', ['1.8.0', '1.9.2'], '2030-06-30'),
        model('ShockGuard Pro', '10202', 'SGP', ['3.1.4'], '2031-09-30'),
      ],
      ecg: [model('CardioTrace 12', '12120', 'CT12', ['12.0.9', '12.1.0'], '2029-03-31')],
    },
  },
  {
    name: 'Renalis Systems',
    issuer: 'HIBCC',
    labeler: 'R822',
    oui: '1e:52:53',
    models: {
      dialysis_machine: [model('Purion 6000', 'PUR6000', 'RP6', ['6.2.0', '6.3.5'], '2030-09-30')],
    },
  },
  {
    name: 'Radiance Imaging',
    issuer: 'GS1',
    labeler: '0871140',
    oui: '22:52:49',
    models: {
      imaging: [
        model('Clarion CT 128', '12800', 'CCT', ['VB20', 'VB22'], '2032-12-31'),
        model('Clarion MR 1.5T', '15000', 'CMR', ['XA30', 'XA31'], '2033-12-31'),
        model('MobiX DR', '10010', 'MDR', ['4.0.7', '4.1.1'], '2029-06-30'),
      ],
    },
  },
  {
    name: 'Tessera Diagnostics',
    issuer: 'GS1',
    labeler: '0540388',
    oui: '26:54:44',
    models: {
      imaging: [model('OrbiScan C-Arm', '90009', 'OSC', ['2.2.0'], '2028-06-30')],
      lab_analyzer: [
        model('Chemis 800', '80008', 'CH8', ['8.4.2', '8.5.0'], '2030-12-31'),
        model('Hemato 5D', '50055', 'HM5', ['5.5.1'], '2029-12-31'),
      ],
    },
  },
  {
    name: 'Quantia Labs',
    issuer: 'ICCBBA',
    labeler: 'Q731',
    oui: '2a:51:4c',
    models: {
      lab_analyzer: [model('QX Blood Gas', 'QXBG2', 'QXB', ['2.0.3', '2.1.0'], '2028-12-31')],
    },
  },
  {
    name: 'Echoline Medical',
    issuer: 'GS1',
    labeler: '0822716',
    oui: '2e:45:4d',
    models: {
      ultrasound: [
        model('SonoPoint 5', '55005', 'SP5', ['5.9.0', '6.0.1'], '2030-06-30'),
        model('SonoPoint Cart', '55055', 'SPC', ['3.2.2'], '2028-03-31'),
      ],
    },
  },
  {
    name: 'Vocalis Systems',
    issuer: 'GS1',
    labeler: '0655901',
    oui: '32:56:53',
    models: {
      nurse_call: [model('CallPoint 3', '30303', 'CP3', ['3.0.12', '3.1.0'], '2027-12-31')],
    },
  },
  {
    name: 'Dispensa Health',
    issuer: 'GS1',
    labeler: '0733162',
    oui: '36:44:48',
    models: {
      medication_cabinet: [model('MedStation 4', '40404', 'MS4', ['4.4.0', '4.5.2'], '2029-09-30')],
    },
  },
  {
    name: 'Autoklav Works',
    issuer: 'GS1',
    labeler: '0577049',
    oui: '3a:41:57',
    models: { sterilizer: [model('SteriMax 9', '90909', 'SM9', ['9.1.0'], '2031-03-31')] },
  },
  {
    name: 'Interlink Medical',
    issuer: 'GS1',
    labeler: '0814470',
    oui: '3e:49:4d',
    models: {
      network_gateway: [model('DeviceBridge G2', '20022', 'DBG', ['2.3.1', '2.4.0'], '2028-12-31')],
    },
  },
];

interface Department {
  name: string;
  code: string;
  beds: boolean;
  classes: Partial<Record<DeviceClass, number>>;
}

const departments: readonly Department[] = [
  {
    name: 'ICU',
    code: 'icu',
    beds: true,
    classes: {
      patient_monitor: 30,
      infusion_pump: 35,
      syringe_pump: 15,
      ventilator: 10,
      defibrillator: 2,
      telemetry: 3,
      workstation: 3,
      ecg: 2,
    },
  },
  {
    name: 'Emergency Department',
    code: 'ed',
    beds: true,
    classes: {
      patient_monitor: 20,
      infusion_pump: 25,
      defibrillator: 5,
      ecg: 5,
      ultrasound: 3,
      workstation: 8,
      telemetry: 5,
      medication_cabinet: 2,
      ventilator: 3,
    },
  },
  {
    name: 'Operating Rooms',
    code: 'or',
    beds: false,
    classes: {
      anesthesia_machine: 15,
      patient_monitor: 20,
      infusion_pump: 20,
      syringe_pump: 10,
      defibrillator: 3,
      imaging: 2,
      workstation: 5,
    },
  },
  {
    name: 'Oncology',
    code: 'onc',
    beds: true,
    classes: {
      infusion_pump: 45,
      syringe_pump: 10,
      patient_monitor: 5,
      medication_cabinet: 3,
      workstation: 6,
    },
  },
  {
    name: 'Radiology',
    code: 'rad',
    beds: false,
    classes: {
      imaging: 40,
      ultrasound: 10,
      workstation: 20,
      network_gateway: 3,
      patient_monitor: 3,
    },
  },
  {
    name: 'Laboratory',
    code: 'lab',
    beds: false,
    classes: { lab_analyzer: 60, workstation: 15, network_gateway: 2 },
  },
  {
    name: 'Cardiology',
    code: 'card',
    beds: true,
    classes: { ecg: 20, telemetry: 20, patient_monitor: 15, defibrillator: 5, ultrasound: 5 },
  },
  {
    name: 'NICU',
    code: 'nicu',
    beds: true,
    classes: { patient_monitor: 25, syringe_pump: 30, infusion_pump: 10, ventilator: 10 },
  },
  {
    name: 'Dialysis',
    code: 'dial',
    beds: true,
    classes: { dialysis_machine: 50, patient_monitor: 10, infusion_pump: 5 },
  },
  {
    name: 'Maternity',
    code: 'mat',
    beds: true,
    classes: { patient_monitor: 20, infusion_pump: 20, ultrasound: 5, ecg: 3 },
  },
  {
    name: 'Medical Ward',
    code: 'med',
    beds: true,
    classes: {
      infusion_pump: 30,
      patient_monitor: 10,
      nurse_call: 10,
      medication_cabinet: 3,
      workstation: 5,
      other: 4,
    },
  },
  {
    name: 'Sterile Processing',
    code: 'sps',
    beds: false,
    classes: { sterilizer: 70, workstation: 10 },
  },
  {
    name: 'Pharmacy',
    code: 'phar',
    beds: false,
    classes: { medication_cabinet: 40, workstation: 20 },
  },
];

interface Site {
  name: string;
  code: string;
  /** Second octet of the site's 10.x.0.0/16 device network. */
  octet: number;
  buildings: readonly string[];
  weight: number;
}

const sites: readonly Site[] = [
  {
    name: 'Northgate General Hospital',
    code: 'NGH',
    octet: 20,
    buildings: ['Main Building', 'North Tower', 'Women and Children Pavilion'],
    weight: 5,
  },
  {
    name: 'Riverside Medical Center',
    code: 'RMC',
    octet: 40,
    buildings: ['Central Block', 'Surgical Wing', 'Outpatient Center'],
    weight: 4,
  },
  {
    name: 'Eastfield Community Hospital',
    code: 'ECH',
    octet: 60,
    buildings: ['Main Building', 'Diagnostic Center'],
    weight: 2,
  },
  { name: 'Westbrook Clinic', code: 'WBC', octet: 80, buildings: ['Clinic Building'], weight: 1 },
];

const classCriticality: Record<DeviceClass, Criticality> = {
  infusion_pump: 'high',
  syringe_pump: 'high',
  patient_monitor: 'high',
  ventilator: 'life_sustaining',
  anesthesia_machine: 'life_sustaining',
  defibrillator: 'life_sustaining',
  dialysis_machine: 'life_sustaining',
  imaging: 'medium',
  ultrasound: 'medium',
  lab_analyzer: 'medium',
  ecg: 'medium',
  telemetry: 'high',
  nurse_call: 'medium',
  medication_cabinet: 'low',
  sterilizer: 'low',
  workstation: 'low',
  network_gateway: 'medium',
  other: 'low',
};

// Devices that ship without a network interface.
const offline = new Set<DeviceClass>(['defibrillator', 'sterilizer', 'other']);

const noteChoices: readonly string[] = [
  'Loaner from the biomed pool',
  'Battery replaced 2024-03',
  'Awaiting firmware update, vendor ticket 4471',
  'Screen cracked, "do not use" tag applied',
  'Preventive maintenance due next quarter',
  'Moved from ICU-3\nduring renovation',
  'Drug library v14 loaded',
];

interface Unit {
  site: Site;
  building: string;
  floor: string;
  department: Department;
  weight: number;
}

/** The site's wards: every department, placed on a building and floor. */
function unitsOf(site: Site, siteIndex: number): Unit[] {
  const perSite =
    site.weight >= 4
      ? departments
      : departments.filter((_, index) => (index + siteIndex) % 2 === 0);
  return perSite.map((department, index) => ({
    site,
    building: site.buildings[index % site.buildings.length] ?? site.buildings[0] ?? 'Main Building',
    floor: String(1 + (index % 5)),
    department,
    weight: site.weight,
  }));
}

function pickWeighted<T>(random: () => number, entries: ReadonlyArray<readonly [T, number]>): T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let point = random() * total;
  for (const [value, weight] of entries) {
    point -= weight;
    if (point < 0) return value;
  }
  const last = entries.at(-1);
  if (!last) throw new Error('pickWeighted needs at least one entry');
  return last[0];
}

function pick<T>(random: () => number, values: readonly T[]): T {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) throw new Error('pick needs at least one value');
  return value;
}

const hex2 = (value: number): string => (value & 0xff).toString(16).padStart(2, '0');

function modelsFor(deviceClass: DeviceClass): ReadonlyArray<readonly [Manufacturer, Model]> {
  return manufacturers.flatMap((maker) =>
    (maker.models[deviceClass] ?? []).map((item) => [maker, item] as const),
  );
}

function udiFor(
  maker: Manufacturer,
  item: Model,
  serial: string,
  manufactured: string,
): Pick<CanonicalRow, 'udi_di' | 'udi_pi' | 'udi_issuer'> {
  switch (maker.issuer) {
    case 'GS1': {
      const body = `0${maker.labeler}${item.itemReference}`;
      return {
        udi_di: `${body}${gs1CheckDigit(body)}`,
        udi_pi: `(11)${manufactured}(21)${serial}`,
        udi_issuer: 'GS1',
      };
    }
    case 'HIBCC':
      return {
        udi_di: `+${maker.labeler}${item.itemReference}0`,
        udi_pi: `$+${serial}`,
        udi_issuer: 'HIBCC',
      };
    case 'ICCBBA':
      return {
        udi_di: `=/${maker.labeler}${item.itemReference}`,
        udi_pi: `=,${serial}`,
        udi_issuer: 'ICCBBA',
      };
  }
}

function macText(random: () => number, octets: string[]): string {
  const style = random();
  if (style < 0.7) return octets.join(':');
  if (style < 0.85) return octets.join('-').toUpperCase();
  const bare = octets.join('');
  return `${bare.slice(0, 4)}.${bare.slice(4, 8)}.${bare.slice(8)}`;
}

/**
 * `count` devices of a synthetic hospital group, as the text of each canonical CSV column.
 * Asset tags and serial numbers embed the row index, so they stay unique at any count.
 */
export function generateDemoHospital(seed: number, count = 2500): DemoDevice[] {
  const random = createRandom(seed);
  const units = sites.flatMap((site, index) => unitsOf(site, index));
  const unitWeights = units.map((unit) => [unit, unit.weight] as const);
  const hostCounters = new Map<string, number>();
  const devices: DemoDevice[] = [];

  for (let index = 0; index < count; index += 1) {
    const unit = pickWeighted(random, unitWeights);
    const deviceClass = pickWeighted(
      random,
      Object.entries(unit.department.classes) as Array<[DeviceClass, number]>,
    );
    const [maker, item] = pick(random, modelsFor(deviceClass));
    const year = 2014 + Math.floor(random() * 11);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const manufactured = `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
    const serial = `${item.serialPrefix}${String(year % 100).padStart(2, '0')}${String(index + 1).padStart(7, '0')}`;
    const floor = unit.floor;
    const room = `${floor}${String(1 + Math.floor(random() * 40)).padStart(2, '0')}`;
    const bedside =
      unit.department.beds &&
      [
        'patient_monitor',
        'infusion_pump',
        'syringe_pump',
        'ventilator',
        'dialysis_machine',
        'telemetry',
      ].includes(deviceClass);

    const lifecycle = pickWeighted<LifecycleState>(random, [
      ['in_service', 80],
      ['received', 7],
      ['quarantined', 3],
      ['decommissioned', 10],
    ]);
    const criticality: Criticality = random() < 0.08 ? 'unassessed' : classCriticality[deviceClass];
    const hasUdi = random() < 0.8;

    const row: DemoDevice = {
      asset_tag: `${unit.site.code}-${String(100000 + index)}`,
      manufacturer: maker.name,
      model: item.name,
      serial_number: serial,
      udi_di: '',
      udi_pi: '',
      udi_issuer: '',
      device_class: deviceClass,
      criticality,
      site: unit.site.name,
      building: unit.building,
      floor,
      room,
      bed: bedside ? String(1 + Math.floor(random() * 4)) : '',
      department: unit.department.name,
      mac_address: '',
      ip_address: '',
      hostname: '',
      firmware_version: pick(random, item.firmware),
      lifecycle_state: lifecycle,
      end_of_life: '',
      notes: '',
    };
    if (hasUdi) Object.assign(row, udiFor(maker, item, serial, manufactured));

    if (!offline.has(deviceClass) && random() < 0.92) {
      const host = (hostCounters.get(unit.site.code) ?? 0) + 1;
      hostCounters.set(unit.site.code, host);
      const deviceBits = index + 1;
      row.mac_address = macText(random, [
        ...maker.oui.split(':'),
        hex2(deviceBits >> 16),
        hex2(deviceBits >> 8),
        hex2(deviceBits),
      ]);
      row.ip_address =
        random() < 0.03
          ? `fd00:${unit.site.octet.toString(16)}:${unit.department.code.length}::${host.toString(16)}`
          : `10.${unit.site.octet + Math.floor(host / 64_000)}.${Math.floor((host % 64_000) / 250)}.${(host % 250) + 2}`;
      row.hostname =
        `${unit.site.code}-${unit.department.code}-${deviceClass.replaceAll('_', '')}-${String(host).padStart(5, '0')}`.toLowerCase();
    }

    const endOfLife = random();
    row.end_of_life = endOfLife < 0.5 ? item.endOfLife : endOfLife < 0.7 ? 'unknown' : '';
    if (lifecycle === 'quarantined') row.notes = 'Quarantined: failed electrical safety test';
    else if (random() < 0.1) row.notes = pick(random, noteChoices);

    devices.push(row);
  }
  return devices;
}
