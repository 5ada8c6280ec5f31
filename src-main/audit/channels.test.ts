import { describe, expect, it } from 'vitest';
import { dispatch, setUpConsole, stepUp } from '../../test/support/accounts';
import { useTempDirs } from '../../test/support/temp';
import { createIpcRegistry } from '../ipc/registry';
import { frozenClock } from '../lib/clock';
import { sequentialIds } from '../lib/ids';
import { createAppServices } from '../services';
import { decodeRecord } from './record';
import { verifyAuditJsonLines } from './export';

const tempDir = useTempDirs();

async function consoleWithEmergency() {
  const clock = frozenClock(Date.UTC(2026, 10, 23, 9));
  const services = createAppServices({
    dataDir: tempDir(),
    clock,
    ids: sequentialIds('x'),
    kdfCost: { memoryKiB: 19_456, iterations: 2, parallelism: 1 },
  });
  const registry = createIpcRegistry(services);
  const { admin, emergencyCredential } = await setUpConsole(registry, clock, 'admin');
  await dispatch(registry, 'ward', 'session:breakglass', {
    credential: emergencyCredential,
    openedBy: 'Nurse Ratched',
    reason: 'patient_care',
  });
  await dispatch(registry, 'ward', 'devices:facets', {});
  await dispatch(registry, 'ward', 'session:lock', {});
  await stepUp(registry, clock, 'admin', admin);
  return { services, registry };
}

describe('audit export and verification through the channels', () => {
  it('exports FHIR AuditEvents with the DICOM break-glass codes and BTG purpose of use', async () => {
    const { services, registry } = await consoleWithEmergency();
    const exported = await dispatch(registry, 'admin', 'audit:export', { format: 'fhir' });
    const bundle = JSON.parse(exported.content) as {
      resourceType: string;
      entry: { resource: Record<string, unknown> & { subtype?: { code: string }[] } }[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    const events = bundle.entry.map((entry) => entry.resource);
    for (const event of events) {
      expect(event.resourceType).toBe('AuditEvent');
      expect(typeof event.recorded).toBe('string');
      expect(['0', '4', '8']).toContain(event.outcome);
      expect(['C', 'R', 'U', 'D', 'E']).toContain(event.action);
      expect(event.agent).toEqual([expect.objectContaining({ requestor: true })]);
      expect(event.source).toHaveProperty('observer');
    }
    const subtypes = events.flatMap((event) => (event.subtype ?? []).map((coding) => coding.code));
    expect(subtypes).toEqual(expect.arrayContaining(['110127', '110138']));
    const opened = events.find((event) => event.subtype?.[0]?.code === '110127');
    expect(JSON.stringify(opened?.purposeOfEvent)).toContain('"BTG"');
    expect(JSON.stringify(opened?.purposeOfEvent)).toContain('"ETREAT"');
    expect(exported.content).not.toContain(services.vault.databasePath);
    services.close();
  });

  it('exports JSON lines that parse back to the records and end with the signed checkpoint, and verifies', async () => {
    const { services, registry } = await consoleWithEmergency();
    const exported = await dispatch(registry, 'admin', 'audit:export', { format: 'jsonl' });
    const lines = exported.content.trimEnd().split('\n');
    const last = JSON.parse(lines.at(-1) ?? '{}') as { checkpoint?: string };
    expect(last.checkpoint).toMatch(/\n— /);
    expect(
      verifyAuditJsonLines(exported.content, (last as { verifierKey: string }).verifierKey),
    ).toMatchObject({ ok: true });
    const records = lines.slice(0, -1).map(decodeRecord);
    expect(records.map((record) => record.sequence)).toEqual(records.map((_, index) => index + 1));
    expect(records.some((record) => record.emergency && record.action === 'devices.read')).toBe(
      false,
    );
    const verification = await dispatch(registry, 'admin', 'audit:verify', {});
    expect(verification).toMatchObject({ ok: true, firstBadSequence: null });
    expect(verification.size).toBeGreaterThanOrEqual(records.length);
    const emergencyOnly = await dispatch(registry, 'admin', 'audit:list', { emergency: true });
    expect(emergencyOnly.records.map((record) => record.action)).toEqual(
      expect.arrayContaining(['breakglass.open', 'breakglass.close']),
    );
    services.close();
  });
});
