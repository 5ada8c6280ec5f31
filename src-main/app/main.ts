// The Electron shell, and the only module that imports `electron`: one hardened window showing
// the built renderer from app://wardkeep, every contract channel wired to the IPC registry behind
// a sender check, and nothing remote — navigation, pop-ups, webviews and permissions are refused.
// Invariant: a message reaches the registry only from the top frame of our window on our origin.
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { join, resolve } from 'node:path';
import { channels } from '../../src-preload/contract';
import type { Result } from '../../src-preload/contract';
import { setResourcesDir } from '../access/password-policy';
import { createIpcRegistry } from '../ipc/registry';
import type { IpcRegistry } from '../ipc/registry';
import { createLogger } from '../lib/logger';
import { createAppServices } from '../services';
import type { AppServices } from '../services';
import { setDefaultNativeBinding } from '../store/database';
import { electronNativeBindingPath } from './native';
import {
  appEntryUrl,
  appOrigin,
  appScheme,
  developmentRendererOrigin,
  hardenedWebPreferences,
  isPermittedNetworkRequest,
  isTrustedSender,
  isTrustedSenderUrl,
} from './policy';
import { serveRendererRequest } from './serve-renderer';

const log = createLogger('app');

const applicationName = 'Wardkeep';
// The bundle lives in out/main; the preload and the renderer are built beside it.
const preloadPath = join(__dirname, '..', 'preload', 'index.js');
const rendererRoot = join(__dirname, '..', 'renderer');

// Registering the scheme as standard and secure must happen before `ready`: it gives app://wardkeep
// a real origin for CSP 'self', fetch and module scripts.
protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();
app.setName(applicationName);

// The same folder as the CLI's default (src-main/cli/data-dir.ts), or --data-dir=DIR like the CLI.
// Chromium's own cache and storage go to a subfolder so the store's folder holds only the store.
const requestedDataDir = app.commandLine.getSwitchValue('data-dir');
const dataDir = requestedDataDir
  ? resolve(requestedDataDir)
  : join(app.getPath('appData'), applicationName);
app.setPath('userData', dataDir);
app.setPath('sessionData', join(dataDir, 'Chromium'));

const developmentOrigin = developmentRendererOrigin(
  process.env.ELECTRON_RENDERER_URL,
  app.isPackaged,
);
const trustedOrigins: readonly string[] = developmentOrigin
  ? [appOrigin, developmentOrigin]
  : [appOrigin];

let mainWindow: BrowserWindow | null = null;
let services: AppServices | null = null;
let registry: IpcRegistry | null = null;

/** Applied to every webContents the app ever creates, before it can load anything. */
function hardenContents(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('webview refused');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn('new window refused', { url });
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (isTrustedSenderUrl(event.url, trustedOrigins)) return;
    event.preventDefault();
    log.warn('navigation refused', { url: event.url });
  });
  contents.on('will-frame-navigate', (event) => {
    if (isTrustedSenderUrl(event.url, trustedOrigins)) return;
    event.preventDefault();
    log.warn('frame navigation refused', { url: event.url });
  });
  contents.on('will-redirect', (event) => {
    if (isTrustedSenderUrl(event.url, trustedOrigins)) return;
    event.preventDefault();
    log.warn('redirect refused', { url: event.url });
  });
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn('permission refused', { permission });
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // The CSP already forbids remote loads; this also covers anything outside a page's CSP.
  ses.webRequest.onBeforeRequest(
    { urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*'] },
    (details, callback) => {
      const permitted = isPermittedNetworkRequest(details.url, trustedOrigins);
      if (!permitted) log.warn('network request refused', { url: details.url });
      callback({ cancel: !permitted });
    },
  );
}

function serveRenderer(): void {
  protocol.handle(appScheme, (request) => serveRendererRequest(rendererRoot, request));
}

function isOurSender(event: IpcMainInvokeEvent): boolean {
  const window = mainWindow;
  const windowContents = window && !window.isDestroyed() ? window.webContents : null;
  let frame: { url: string; isWindowTopFrame: boolean } | null = null;
  try {
    const sender = event.senderFrame;
    if (sender && windowContents) {
      const top = windowContents.mainFrame;
      frame = {
        url: sender.url,
        isWindowTopFrame:
          sender.parent === null &&
          sender.processId === top.processId &&
          sender.routingId === top.routingId,
      };
    }
  } catch {
    // A frame disposed while we looked at it is not a sender we can vouch for.
    frame = null;
  }
  return isTrustedSender(
    {
      senderWebContentsId: event.sender.id,
      windowWebContentsId: windowContents ? windowContents.id : null,
      frame,
    },
    trustedOrigins,
  );
}

function registerIpcHandlers(target: IpcRegistry): void {
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<Result<unknown>> => {
      if (!isOurSender(event)) {
        log.warn('ipc sender refused', { channel });
        return {
          ok: false,
          error: {
            code: 'ipc.sender',
            message: 'this request did not come from the Wardkeep window',
          },
        };
      }
      try {
        return await target.dispatch(String(event.sender.id), channel, payload);
      } catch (error) {
        log.error('ipc dispatch failed', {
          channel,
          error: error instanceof Error ? error.message : String(error),
        });
        return {
          ok: false,
          error: { code: 'internal', message: `${channel} failed unexpectedly; see the log` },
        };
      }
    });
  }
}

function createWindow(target: IpcRegistry): BrowserWindow {
  const window = new BrowserWindow({
    title: applicationName,
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    webPreferences: hardenedWebPreferences(preloadPath, !app.isPackaged),
  });
  const contents = window.webContents;
  const clientId = String(contents.id);
  const unsubscribe = target.subscribe(clientId, (event, payload) => {
    if (!contents.isDestroyed()) contents.send(event, payload);
  });
  // A crashed renderer or a closed window ends its session: nothing stays unlocked without a view.
  contents.on('render-process-gone', (_event, details) => {
    log.warn('renderer gone', { reason: details.reason });
    target.disconnect(clientId);
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    unsubscribe();
    target.disconnect(clientId);
    if (mainWindow === window) mainWindow = null;
  });
  const entry = developmentOrigin ? `${developmentOrigin}/` : appEntryUrl;
  window.loadURL(entry).catch((error: unknown) => {
    log.error('cannot load the renderer', {
      url: entry,
      error: error instanceof Error ? error.message : String(error),
    });
  });
  return window;
}

function start(): void {
  const nativeBinding = electronNativeBindingPath({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    projectRoot: app.getAppPath(),
  });
  if (nativeBinding) setDefaultNativeBinding(nativeBinding);
  else
    log.warn('no Electron build of better-sqlite3 found; run `node scripts/native.mjs electron`');
  if (app.isPackaged) setResourcesDir(join(process.resourcesPath, 'resources'));

  hardenSession();
  serveRenderer();
  services = createAppServices({ dataDir });
  registry = createIpcRegistry(services);
  registerIpcHandlers(registry);
  mainWindow = createWindow(registry);
  log.info('started', {
    dataDir,
    packaged: app.isPackaged,
    development: developmentOrigin !== null,
  });
}

function abort(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log.error('startup failed', { error: message });
  dialog.showErrorBox('Wardkeep could not start', message);
  app.exit(1);
}

if (!app.requestSingleInstanceLock()) {
  // Another Wardkeep owns this data folder; it has been asked to come to the front.
  app.exit(0);
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  // Closing the window ends the session, so the app has nothing left to do: quit on every OS.
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    services?.close();
    services = null;
  });
  app.whenReady().then(start).catch(abort);
}
