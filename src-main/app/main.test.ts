// The shell's wiring with Electron replaced by a recording fake: every contract channel is
// handled, a message reaches the real services only from the top frame of our window, every
// webContents is hardened, permissions are refused, and the window is built hardened.
// The real Electron run is test/e2e/electron.test.ts.
import { base32Decode, totp } from '../access/totp';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channels } from '../../src-preload/contract';
import { generatedPassword } from '../../test/support/temp';
import { setLogSink, stderrSink } from '../lib/logger';
import type { LogRecord } from '../lib/logger';

type Handler = (...args: unknown[]) => unknown;

interface FakeFrame {
  url: string;
  processId: number;
  routingId: number;
  parent: FakeFrame | null;
}

interface FakeContents {
  id: number;
  mainFrame: FakeFrame;
  handlers: Map<string, Handler>;
  windowOpenHandler: Handler | null;
  sent: unknown[][];
  on(event: string, handler: Handler): FakeContents;
  setWindowOpenHandler(handler: Handler): void;
  send(...args: unknown[]): void;
  isDestroyed(): boolean;
}

const fake = vi.hoisted(() => {
  function makeContents(id: number): FakeContents {
    const contents: FakeContents = {
      id,
      mainFrame: {
        url: 'app://wardkeep/index.html',
        processId: 40,
        routingId: id * 10,
        parent: null,
      },
      handlers: new Map(),
      windowOpenHandler: null,
      sent: [],
      on(event, handler) {
        contents.handlers.set(event, handler);
        return contents;
      },
      setWindowOpenHandler(handler) {
        contents.windowOpenHandler = handler;
      },
      send(...args) {
        contents.sent.push(args);
      },
      isDestroyed: () => false,
    };
    return contents;
  }
  const state = {
    dataDir: '',
    appHandlers: new Map<string, Handler>(),
    ipcHandlers: new Map<string, Handler>(),
    privilegedSchemes: [] as unknown[],
    protocolHandlers: new Map<string, Handler>(),
    permissionRequestHandler: null as Handler | null,
    permissionCheckHandler: null as Handler | null,
    devicePermissionHandler: null as Handler | null,
    beforeRequest: null as { filter: unknown; handler: Handler } | null,
    windows: [] as {
      options: Record<string, unknown>;
      loadedUrl: string;
      webContents: FakeContents;
      handlers: Map<string, Handler>;
    }[],
    sandboxEnabled: false,
    makeContents,
  };
  return state;
});

vi.mock('electron', () => {
  class BrowserWindow {
    readonly webContents: FakeContents;
    private readonly record: (typeof fake.windows)[number];
    constructor(options: Record<string, unknown>) {
      this.webContents = fake.makeContents(fake.windows.length + 1);
      this.record = { options, loadedUrl: '', webContents: this.webContents, handlers: new Map() };
      fake.windows.push(this.record);
    }
    loadURL(url: string): Promise<void> {
      this.record.loadedUrl = url;
      return Promise.resolve();
    }
    on(event: string, handler: Handler): this {
      this.record.handlers.set(event, handler);
      return this;
    }
    once(event: string, handler: Handler): this {
      return this.on(event, handler);
    }
    isDestroyed(): boolean {
      return false;
    }
    show(): void {}
    isMinimized(): boolean {
      return false;
    }
    restore(): void {}
    focus(): void {}
  }
  const app = {
    isPackaged: false,
    enableSandbox: () => {
      fake.sandboxEnabled = true;
    },
    setName: () => undefined,
    commandLine: { getSwitchValue: (name: string) => (name === 'data-dir' ? fake.dataDir : '') },
    getPath: (name: string) => (name === 'appData' ? '/nonexistent/appData' : fake.dataDir),
    setPath: () => undefined,
    getAppPath: () => '/nonexistent/project',
    requestSingleInstanceLock: () => true,
    on: (event: string, handler: Handler) => {
      fake.appHandlers.set(event, handler);
    },
    whenReady: () => Promise.resolve(),
    quit: () => undefined,
    exit: () => undefined,
  };
  return {
    app,
    BrowserWindow,
    dialog: { showErrorBox: () => undefined },
    ipcMain: {
      handle: (channel: string, handler: Handler) => {
        fake.ipcHandlers.set(channel, handler);
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        fake.privilegedSchemes.push(...schemes);
      },
      handle: (scheme: string, handler: Handler) => {
        fake.protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Handler) => {
          fake.permissionRequestHandler = handler;
        },
        setPermissionCheckHandler: (handler: Handler) => {
          fake.permissionCheckHandler = handler;
        },
        setDevicePermissionHandler: (handler: Handler) => {
          fake.devicePermissionHandler = handler;
        },
        webRequest: {
          onBeforeRequest: (filter: unknown, handler: Handler) => {
            fake.beforeRequest = { filter, handler };
          },
        },
      },
    },
  };
});

const logs: LogRecord[] = [];

function ourWindow(): (typeof fake.windows)[number] {
  const window = fake.windows[0];
  if (!window) throw new Error('no window was created');
  return window;
}

function invoke(
  channel: string,
  event: { sender: { id: number }; senderFrame: FakeFrame | null },
  payload: unknown,
): Promise<unknown> {
  const handler = fake.ipcHandlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return Promise.resolve(handler(event, payload));
}

function navigationEvent(url: string): {
  url: string;
  preventDefault: () => void;
  prevented: () => boolean;
} {
  let prevented = false;
  return {
    url,
    preventDefault: () => {
      prevented = true;
    },
    prevented: () => prevented,
  };
}

describe('the Electron shell', () => {
  beforeAll(async () => {
    fake.dataDir = mkdtempSync(join(tmpdir(), 'wardkeep-shell-'));
    setLogSink((record) => logs.push(record));
    await import('./main');
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
  });

  afterAll(() => {
    fake.appHandlers.get('will-quit')?.();
    setLogSink(stderrSink);
    rmSync(fake.dataDir, { recursive: true, force: true });
  });

  it('registers app:// as a standard, secure, fetch-capable scheme and enables the sandbox for all', () => {
    expect(fake.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.protocolHandlers.has('app')).toBe(true);
    expect(fake.sandboxEnabled).toBe(true);
  });

  it('creates one hardened window that loads app://wardkeep/index.html with the built preload', () => {
    const window = ourWindow();
    expect(window.loadedUrl).toBe('app://wardkeep/index.html');
    expect(window.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      preload: resolve(__dirname, '..', 'preload', 'index.js'),
    });
  });

  it('handles every channel of the contract and nothing else', () => {
    expect([...fake.ipcHandlers.keys()].sort()).toEqual([...channels].sort());
  });

  it('dispatches a message from the top frame of our window to the services', async () => {
    const contents = ourWindow().webContents;
    const result = await invoke(
      'session:status',
      { sender: contents, senderFrame: contents.mainFrame },
      {},
    );
    expect(result).toMatchObject({
      ok: true,
      value: { setupRequired: true, user: null, session: null, breakGlassReady: false },
    });
  });

  it('refuses a message from another webContents with ipc.sender', async () => {
    const stranger = fake.makeContents(99);
    const result = await invoke(
      'session:status',
      { sender: stranger, senderFrame: stranger.mainFrame },
      {},
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.sender' } });
  });

  it('refuses a message from a subframe of our window', async () => {
    const contents = ourWindow().webContents;
    const subframe: FakeFrame = {
      url: 'app://wardkeep/index.html',
      processId: 40,
      routingId: 77,
      parent: contents.mainFrame,
    };
    const result = await invoke('session:status', { sender: contents, senderFrame: subframe }, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.sender' } });
  });

  it('refuses a message from our frame once it shows a foreign page, or after it is gone', async () => {
    const contents = ourWindow().webContents;
    const foreign: FakeFrame = { ...contents.mainFrame, url: 'https://example.org/' };
    expect(
      await invoke('session:status', { sender: contents, senderFrame: foreign }, {}),
    ).toMatchObject({
      ok: false,
      error: { code: 'ipc.sender' },
    });
    expect(
      await invoke('session:status', { sender: contents, senderFrame: null }, {}),
    ).toMatchObject({
      ok: false,
      error: { code: 'ipc.sender' },
    });
  });

  it('leaves schema checks to the registry for a trusted sender', async () => {
    const contents = ourWindow().webContents;
    const result = await invoke(
      'session:status',
      { sender: contents, senderFrame: contents.mainFrame },
      { extra: true },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.payload' } });
  });

  it("forwards the services' events for the window to its webContents", async () => {
    const contents = ourWindow().webContents;
    const trusted = { sender: contents, senderFrame: contents.mainFrame };
    const setup = await invoke('session:setup', trusted, {
      username: 'admin',
      password: generatedPassword(),
    });
    expect(setup).toMatchObject({ ok: true, value: { next: { step: 'mfa_enrol' } } });
    const { secret } = (setup as { value: { next: { secret: string } } }).value.next;
    // The shell runs on the system clock: the authenticator's code for now.
    const enrolled = await invoke('session:enrol', trusted, {
      code: totp(base32Decode(secret), Date.now()),
    });
    expect(enrolled).toMatchObject({
      ok: true,
      value: { step: 'done', user: { username: 'admin', role: 'administrator' } },
    });
    expect(await invoke('session:lock', trusted, {})).toEqual({ ok: true, value: {} });
    expect(contents.sent).toContainEqual(['session:ended', { reason: 'logout' }]);
  });

  it('refuses navigation, redirects, pop-ups and webviews that leave our origin', () => {
    const contents = fake.makeContents(5);
    fake.appHandlers.get('web-contents-created')?.({}, contents);
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const away = navigationEvent('https://example.org/');
      contents.handlers.get(event)?.(away);
      expect(away.prevented(), event).toBe(true);
      const home = navigationEvent('app://wardkeep/index.html');
      contents.handlers.get(event)?.(home);
      expect(home.prevented(), event).toBe(false);
    }
    expect(contents.windowOpenHandler?.({ url: 'https://example.org/' })).toEqual({
      action: 'deny',
    });
    const webview = navigationEvent('');
    contents.handlers.get('will-attach-webview')?.(webview);
    expect(webview.prevented()).toBe(true);
  });

  it('refuses every permission request and check', () => {
    const decisions: boolean[] = [];
    fake.permissionRequestHandler?.({}, 'media', (granted: boolean) => decisions.push(granted));
    fake.permissionRequestHandler?.({}, 'notifications', (granted: boolean) =>
      decisions.push(granted),
    );
    expect(decisions).toEqual([false, false]);
    expect(fake.permissionCheckHandler?.({}, 'clipboard-read')).toBe(false);
    expect(fake.devicePermissionHandler?.({})).toBe(false);
  });

  it('cancels every network request of a page in production', () => {
    const decisions: unknown[] = [];
    fake.beforeRequest?.handler({ url: 'https://example.org/tracker.js' }, (response: unknown) =>
      decisions.push(response),
    );
    fake.beforeRequest?.handler({ url: 'http://localhost:5173/' }, (response: unknown) =>
      decisions.push(response),
    );
    expect(decisions).toEqual([{ cancel: true }, { cancel: true }]);
  });

  it('serves the renderer through the app protocol, refusing paths outside its folder', async () => {
    const handler = fake.protocolHandlers.get('app');
    const response = (await handler?.(
      new Request('app://wardkeep/..%2f..%2fpackage.json'),
    )) as Response;
    expect(response.status).toBe(404);
  });

  it('refuses messages once the window has closed, without errors', async () => {
    const window = ourWindow();
    const contents = window.webContents;
    window.handlers.get('closed')?.();
    const result = await invoke(
      'session:status',
      { sender: contents, senderFrame: contents.mainFrame },
      {},
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.sender' } });
    expect(logs.filter((record) => record.level === 'error')).toEqual([]);
  });
});
