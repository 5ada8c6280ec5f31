// The built app (out/main/index.js) in real Electron: the window is sandboxed and isolated, the
// page sees `window.wardkeep` and nothing of Node, IPC reaches the services, remote navigation
// and pop-ups are refused, and a fresh data folder opens on the first-run view.
// Skipped, saying why, where the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron } from 'playwright-core';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const projectRoot = resolve(__dirname, '..', '..');
const builtMain = join(projectRoot, 'out', 'main', 'index.js');

type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

/** `require('electron')` in Node returns the binary's path, or throws when it was never downloaded. */
function findElectronBinary(): ElectronBinary {
  try {
    const path: unknown = createRequire(join(projectRoot, 'package.json'))('electron');
    if (typeof path !== 'string')
      return { found: false, reason: 'the electron package did not name a binary' };
    if (!existsSync(path))
      return { found: false, reason: `the Electron binary is missing at ${path}` };
    return { found: true, path };
  } catch (error) {
    return {
      found: false,
      reason: `the Electron binary is not installed (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

const electronBinary = findElectronBinary();
if (!electronBinary.found) {
  console.info(
    `Skipping the Electron e2e test: ${electronBinary.reason}. ` +
      'Install it with `npm install` on a networked machine without ELECTRON_SKIP_BINARY_DOWNLOAD.',
  );
}

/** The page's global object, typed loosely: this file is compiled without the DOM library. */
type PageGlobal = Record<string, unknown> & {
  location: { href: string };
  open(url: string): unknown;
};

describe.skipIf(!electronBinary.found)('the Electron app', () => {
  let application: ElectronApplication;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    if (!electronBinary.found) return;
    if (!existsSync(builtMain))
      throw new Error(`${builtMain} is missing: run \`npm run build\` before this test`);
    dataDir = mkdtempSync(join(tmpdir(), 'wardkeep-electron-'));
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      // The dev server's URL would make the app load it instead of the built renderer.
      if (value !== undefined && name !== 'ELECTRON_RENDERER_URL') environment[name] = value;
    }
    environment.WARDKEEP_LOG = 'warn';
    application = await _electron.launch({
      executablePath: electronBinary.path,
      // Chromium refuses to run as root with its OS sandbox; the web preferences under test are
      // Electron's own and do not change.
      args: [
        projectRoot,
        `--data-dir=${dataDir}`,
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
      env: environment,
      timeout: 60_000,
    });
    page = await application.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await application?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates its window sandboxed and context-isolated, without Node integration', async () => {
    const preferences = await application.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as {
        getLastWebPreferences(): Record<string, unknown> | null;
      };
      return contents.getLastWebPreferences();
    });
    expect(preferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
    });
  });

  it('serves the renderer from app://wardkeep with the strict content security policy', async () => {
    expect(page.url()).toBe('app://wardkeep/index.html');
    const policy = await page.evaluate(async () => {
      const response = await fetch('/index.html');
      return response.headers.get('content-security-policy');
    });
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("object-src 'none'");
  });

  it('gives the page the frozen wardkeep bridge and no require or process', async () => {
    const globals = await page.evaluate(() => {
      const scope = globalThis as unknown as PageGlobal;
      return {
        wardkeep: typeof scope.wardkeep,
        frozen: Object.isFrozen(scope.wardkeep),
        require: typeof scope.require,
        process: typeof scope.process,
        module: typeof scope.module,
      };
    });
    expect(globals).toEqual({
      wardkeep: 'object',
      frozen: true,
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
    });
  });

  it('answers a contract channel over IPC from the real services', async () => {
    const status = await page.evaluate(() => {
      const scope = globalThis as unknown as {
        wardkeep: Record<string, (request: unknown) => Promise<unknown>>;
      };
      return scope.wardkeep['session:status']?.({});
    });
    expect(status).toEqual({ ok: true, value: { setupRequired: true, user: null } });
  });

  it('shows the first-run view on a fresh data folder', async () => {
    await page
      .getByRole('heading', { name: 'Set up this console' })
      .waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('refuses pop-ups and navigation away from the app', async () => {
    const popup = await page.evaluate(
      () => (globalThis as unknown as PageGlobal).open('https://example.org/') === null,
    );
    expect(popup).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobal).location.href = 'https://example.org/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://wardkeep/index.html');
    expect(application.windows()).toHaveLength(1);
  });
});
