// The CSV import in the real UI against the real inventory service: column mapping with a saved
// mapping, the preview of invalid rows, all-or-nothing, skip-invalid with progress, then search,
// filters, sorting, the detail panel and the exports on what was imported. An administrator may
// not import, so an engineer (who may import and export) made by the administrator does it.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frozenClock } from '../../src-main/lib/clock';
import { addAccount, nextCode, setUpConsole } from '../support/accounts';
import { signInThroughPage, startWardkeep } from '../support/browser';
import type { WardkeepSession } from '../support/browser';

const username = 'import.tech';
const seedClient = 'seed';
const clock = frozenClock(Date.UTC(2026, 10, 23, 9));
let wardkeep: WardkeepSession;

const headers = [
  'Tag',
  'Equipment Maker',
  'Model',
  'Serial No',
  'Type',
  'Risk',
  'Site',
  'Building',
  'Room',
  'IP',
  'Firmware',
  'Status',
];
const makers = ['Baxter', 'B. Braun', 'Philips', 'Dräger'];
const types = ['Infusion pump', 'Patient monitor', 'Ventilator', 'Syringe pump'];

interface SourceRow {
  cells: string[];
  valid: boolean;
  tag: string;
  lifeSustaining: boolean;
  site: string;
}

/** Rows 4, 10 and 20 (file lines 6, 12 and 22) are broken, one field each. */
const brokenRows = new Map([
  [4, { column: 'serial_number', line: 6 }],
  [10, { column: 'device_class', line: 12 }],
  [20, { column: 'ip_address', line: 22 }],
]);

function sourceRows(): SourceRow[] {
  return Array.from({ length: 40 }, (_, index) => {
    const tag = `IMP-${String(index + 1).padStart(4, '0')}`;
    const type = types[index % types.length] ?? 'Other';
    const site = index % 2 === 0 ? 'South Campus' : 'North Campus';
    const broken = brokenRows.get(index)?.column;
    const cells = [
      tag,
      makers[index % makers.length] ?? 'Other',
      `Model ${index % 7}`,
      broken === 'serial_number' ? '' : `SN-A${1000 + index}`,
      broken === 'device_class' ? 'toaster' : type,
      type === 'Ventilator' ? 'life-sustaining' : index % 3 === 0 ? 'high' : 'medium',
      site,
      `B${(index % 3) + 1}`,
      `${(index % 5) + 1}.${100 + index}`,
      broken === 'ip_address' ? '10.0.300.1' : `10.20.${index}.5`,
      `${1 + (index % 3)}.${index % 10}.0`,
      'in service',
    ];
    return {
      cells,
      valid: broken === undefined,
      tag,
      lifeSustaining: type === 'Ventilator' && broken === undefined,
      site,
    };
  });
}

const rows = sourceRows();
const validRows = rows.filter((row) => row.valid);
const csv =
  [headers, ...rows.map((row) => row.cells)].map((cells) => cells.join(',')).join('\r\n') + '\r\n';
const csvFile = {
  name: 'biomed-inventory.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from(csv, 'utf8'),
};

beforeAll(async () => {
  wardkeep = await startWardkeep({ services: { clock } });
  const { admin } = await setUpConsole(wardkeep.registry, clock, 'seed-admin');
  const engineer = await addAccount(
    wardkeep.registry,
    clock,
    admin,
    'seed-admin',
    username,
    'engineer',
    seedClient,
  );
  await wardkeep.open();
  await signInThroughPage(wardkeep.page, engineer.username, engineer.password, () =>
    nextCode(clock, engineer.secret),
  );
});

afterAll(async () => {
  await wardkeep?.close();
});

async function resultCount(text: string): Promise<void> {
  await wardkeep.page
    .getByTestId('result-count')
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor();
}

function firstRow() {
  return wardkeep.page.locator('#device-grid [role="row"][aria-rowindex="2"]');
}

describe('importing a CSV with errors', () => {
  it('stages the file, shows its size and asks for the required column it could not match', async () => {
    const { page } = wardkeep;
    await page.getByRole('button', { name: 'Import CSV…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import devices from CSV' });
    await dialog.waitFor();
    await dialog.getByLabel('CSV file').setInputFiles(csvFile);
    await page.getByTestId('staged-summary').waitFor();
    expect(await page.getByTestId('staged-summary').textContent()).toBe(
      'biomed-inventory.csv: 40 rows, 12 columns',
    );
    expect(await page.getByTestId('mapping-missing').textContent()).toContain('Manufacturer');
    expect(await page.getByRole('button', { name: 'Check rows' }).isDisabled()).toBe(true);
    // Suggested from the headers: "Serial No" is the serial number, "Type" the device class.
    expect(await page.locator('select[data-field="serial_number"]').inputValue()).toBe('Serial No');
    expect(await page.locator('select[data-field="device_class"]').inputValue()).toBe('Type');
    await page.locator('select[data-field="manufacturer"]').selectOption('Equipment Maker');
    expect(await page.getByTestId('mapping-missing').count()).toBe(0);
    await page.getByLabel('Save this mapping as').fill('Biomed export');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByText('Saved as “Biomed export”.').waitFor();
    await wardkeep.screenshot('10-import-mapping');
  });

  it('previews what would change and lists every invalid row with its line and column', async () => {
    const { page } = wardkeep;
    await page.getByRole('button', { name: 'Check rows' }).click();
    const preview = page.getByTestId('import-preview');
    await preview.waitFor();
    expect(await preview.locator('[data-stat="created"] dd').textContent()).toBe(
      String(validRows.length),
    );
    expect(await preview.locator('[data-stat="invalid"] dd').textContent()).toBe('3');
    const issueRows = page.getByTestId('issue-table').locator('[role="row"][data-line]');
    const issues: [number, string | null][] = [];
    for (const row of await issueRows.all()) {
      issues.push([
        Number(await row.getAttribute('data-line')),
        await row.getAttribute('data-column'),
      ]);
    }
    expect(issues).toEqual([...brokenRows.values()].map((broken) => [broken.line, broken.column]));
    await wardkeep.screenshot('11-import-preview');
  });

  it('writes nothing when the all-or-nothing import meets invalid rows', async () => {
    const { page } = wardkeep;
    await page.getByRole('button', { name: 'Import all 40' }).click();
    await page.getByTestId('import-refused').waitFor();
    expect(await page.getByTestId('import-refused').textContent()).toContain(
      'Nothing was imported',
    );
    const stored = await wardkeep.call(seedClient, 'devices:list', { limit: 1 });
    expect(stored.total).toBe(0);
    await wardkeep.screenshot('12-import-refused');
  });

  it('imports only the valid rows, with progress reaching done, and shows them in the table', async () => {
    const { page } = wardkeep;
    await page
      .getByRole('button', { name: `Import valid rows only (${validRows.length})` })
      .click();
    await page.getByTestId('import-report').waitFor();
    await page.locator('[data-testid="import-progress"][data-phase="done"]').waitFor();
    expect(await page.locator('[data-stat="created"] dd').textContent()).toBe(
      String(validRows.length),
    );
    expect(await page.locator('[data-stat="skipped"] dd').textContent()).toBe('3');
    await wardkeep.screenshot('13-import-report');
    await page.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await resultCount(`${validRows.length} devices`);
    const stored = await wardkeep.call(seedClient, 'devices:list', { limit: 1 });
    expect(stored.total).toBe(validRows.length);
    expect(await firstRow().textContent()).toContain('IMP-0001');
  });

  it('recognises the saved mapping when the same file comes again, and reports every row unchanged', async () => {
    const { page } = wardkeep;
    await page.getByRole('button', { name: 'Import CSV…' }).click();
    await page.getByRole('dialog').getByLabel('CSV file').setInputFiles(csvFile);
    await page.getByTestId('staged-summary').waitFor();
    expect(await page.getByLabel('Start from').inputValue()).toBe('Biomed export');
    expect(await page.locator('select[data-field="manufacturer"]').inputValue()).toBe(
      'Equipment Maker',
    );
    await page.getByRole('button', { name: 'Check rows' }).click();
    await page.getByTestId('import-preview').waitFor();
    expect(await page.locator('[data-stat="unchanged"] dd').textContent()).toBe(
      String(validRows.length),
    );
    expect(await page.locator('[data-stat="created"] dd').textContent()).toBe('0');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });
});

describe('finding devices', () => {
  it('narrows the table with the search box', async () => {
    const { page } = wardkeep;
    await page.getByLabel('Search').fill('IMP-0017');
    await resultCount(`1 of ${validRows.length} devices`);
    expect(await firstRow().textContent()).toContain('IMP-0017');
    await wardkeep.screenshot('14-search');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await resultCount(`${validRows.length} devices`);
    expect(await page.getByLabel('Search').inputValue()).toBe('');
  });

  it('narrows the table with the criticality and site filters, and both together', async () => {
    const { page } = wardkeep;
    const lifeSustaining = validRows.filter((row) => row.lifeSustaining);
    await page.getByLabel('Criticality').selectOption('life_sustaining');
    await resultCount(`${lifeSustaining.length} of ${validRows.length} devices`);
    expect(await firstRow().textContent()).toContain('Life-sustaining');
    await page.getByLabel('Site').selectOption('North Campus');
    const both = lifeSustaining.filter((row) => row.site === 'North Campus');
    await resultCount(`${both.length} of ${validRows.length} devices`);
    await wardkeep.screenshot('15-filters');
    await page.getByLabel('Criticality').selectOption('');
    const north = validRows.filter((row) => row.site === 'North Campus');
    await resultCount(`${north.length} of ${validRows.length} devices`);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await resultCount(`${validRows.length} devices`);
  });

  it('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    const { page } = wardkeep;
    const header = page.getByRole('columnheader', { name: /Asset tag/ });
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await header.getByRole('button').click();
    await page.locator('[role="columnheader"][aria-sort="descending"]').waitFor();
    await firstRow().filter({ hasText: 'IMP-0040' }).waitFor();
    await header.getByRole('button').click();
    await firstRow().filter({ hasText: 'IMP-0001' }).waitFor();
  });

  it('opens the detail panel from a row click and from the keyboard, and closes it with Esc', async () => {
    const { page } = wardkeep;
    await page.locator('#device-grid [role="row"]', { hasText: 'IMP-0003' }).click();
    const panel = page.getByTestId('device-detail');
    await panel.getByRole('heading', { name: 'IMP-0003' }).waitFor();
    for (const group of ['Identity', 'UDI', 'Location', 'Network', 'Lifecycle', 'Notes']) {
      expect(await panel.getByRole('heading', { name: group, exact: true }).count(), group).toBe(1);
    }
    expect(await panel.textContent()).toContain('SN-A1002');
    await wardkeep.screenshot('16-device-detail');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    // The grid keeps focus: Down moves to the next row, Enter opens it.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await panel.getByRole('heading', { name: 'IMP-0004' }).waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('downloads the inventory as CSV and as a FHIR bundle', async () => {
    const { page } = wardkeep;
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(csvDownload.suggestedFilename()).toMatch(/\.csv$/);
    const exported = await readFile(await csvDownload.path(), 'utf8');
    expect(exported).toContain('IMP-0017');
    expect(exported.trim().split(/\r?\n/)).toHaveLength(validRows.length + 1);

    const [fhirDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export FHIR' }).click(),
    ]);
    expect(fhirDownload.suggestedFilename()).toMatch(/\.json$/);
    const bundle = JSON.parse(await readFile(await fhirDownload.path(), 'utf8')) as {
      resourceType: string;
      entry: unknown[];
    };
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.entry).toHaveLength(validRows.length);
  });
});
