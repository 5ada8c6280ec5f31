// Browser tests drive the built renderer in Debian Chromium against the real main services and a
// real encrypted database, over a test-only loopback transport: a Node HTTP server that serves
// out/renderer with the app's CSP, answers `POST /ipc/<channel>` through the IPC registry and
// streams events as Server-Sent Events. Never part of a packaged app.
// Invariants: the server listens on 127.0.0.1 only; every /ipc and /events request must carry
// this run's random token (static files need none: they hold no data); each test file gets a
// fresh data folder, and close() stops the browser, the server and the services and deletes it.
import { contentSecurityPolicy } from '../../src-main/app/policy';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Channel, EventName, Result, ResultOf, RequestOf } from '../../src-preload/contract';
import { createIpcRegistry } from '../../src-main/ipc/registry';
import type { IpcRegistry } from '../../src-main/ipc/registry';
import { createAppServices } from '../../src-main/services';
import type { AppServices, AppServicesOptions } from '../../src-main/services';

export const projectRoot = resolve(__dirname, '..', '..');
export const defaultRendererDir = join(projectRoot, 'out', 'renderer');
export const screenshotDir = join(projectRoot, 'test-results', 'screenshots');
const shimEntry = join(projectRoot, 'test', 'e2e', 'bridge-shim.ts');

/** The production policy, sent as a header as the app's protocol handler sends it. */
export { contentSecurityPolicy };

export const chromiumPath = '/usr/bin/chromium';
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Large enough for a 256 MiB CSV sent to imports:stage as JSON. */
const maximumBodyBytes = 600 * 1024 * 1024;
const clientIdPattern = /^[A-Za-z0-9-]{8,64}$/;

export interface TestServer {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  token: string;
  /** Client ids (as the registry knows them) with an open event stream: one per live page. */
  connectedClients(): string[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  registry: IpcRegistry;
  rendererDir?: string;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const left = Buffer.from(given);
  const right = Buffer.from(expected);
  return left.length === right.length && timingSafeEqual(left, right);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(JSON.stringify(body));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maximumBodyBytes) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const { registry } = options;
  const rendererDir = resolve(options.rendererDir ?? defaultRendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(
      `${rendererDir}/index.html is missing: build the renderer first (npx electron-vite build)`,
    );
  }
  const token = randomBytes(32).toString('base64url');
  const streams = new Map<string, ServerResponse>();
  let origin = '';

  /** The caller's client id, namespaced, or null after answering a refusal. */
  function authorise(request: IncomingMessage, response: ServerResponse): string | null {
    // A rebinding DNS name would reach this port under another Host: only our own address passes.
    if (header(request, 'host') !== new URL(origin).host) {
      sendText(response, 421, 'wrong host');
      return null;
    }
    const requestOrigin = header(request, 'origin');
    if (requestOrigin !== undefined && requestOrigin !== origin) {
      sendText(response, 403, 'wrong origin');
      return null;
    }
    if (!sameSecret(header(request, 'x-wardkeep-token'), token)) {
      sendText(response, 403, 'missing or wrong test token');
      return null;
    }
    const clientId = header(request, 'x-wardkeep-client');
    if (clientId === undefined || !clientIdPattern.test(clientId)) {
      sendText(response, 400, 'missing or malformed client id');
      return null;
    }
    return `browser:${clientId}`;
  }

  async function handleIpc(
    request: IncomingMessage,
    response: ServerResponse,
    channel: string,
  ): Promise<void> {
    if (request.method !== 'POST') return sendText(response, 405, 'POST only');
    const clientId = authorise(request, response);
    if (clientId === null) return undefined;
    if (!(header(request, 'content-type') ?? '').startsWith('application/json')) {
      return sendText(response, 415, 'JSON only');
    }
    const body = await readBody(request);
    if (body === null) return sendText(response, 413, 'request too large');
    let payload: unknown;
    try {
      payload = body === '' ? {} : JSON.parse(body);
    } catch {
      return sendText(response, 400, 'malformed JSON');
    }
    const result = await registry.dispatch(clientId, channel, payload);
    return sendJson(response, 200, result);
  }

  function handleEvents(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET') return sendText(response, 405, 'GET only');
    const clientId = authorise(request, response);
    if (clientId === null) return undefined;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    const unsubscribe = registry.subscribe(clientId, (event: EventName, payload: unknown) => {
      response.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    streams.set(clientId, response);
    // The comment tells the page it is subscribed: only then does it send calls.
    response.write(': subscribed\n\n');
    request.on('close', () => {
      unsubscribe();
      streams.delete(clientId);
      // The page is gone, as when a window closes: its session ends.
      registry.disconnect(clientId);
    });
    return undefined;
  }

  function handleStatic(
    request: IncomingMessage,
    response: ServerResponse,
    pathname: string,
  ): void {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return sendText(response, 405, 'GET only');
    let relative: string;
    try {
      relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    } catch {
      return sendText(response, 400, 'bad path');
    }
    const file = normalize(join(rendererDir, relative));
    if (!file.startsWith(rendererDir + sep) || !existsSync(file))
      return sendText(response, 404, 'not found');
    response.writeHead(200, {
      'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': contentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : readFileSync(file));
    return undefined;
  }

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const route = url.pathname;
    const answered = route.startsWith('/ipc/')
      ? handleIpc(request, response, decodeURIComponent(route.slice('/ipc/'.length)))
      : route === '/events'
        ? handleEvents(request, response)
        : handleStatic(request, response, route);
    Promise.resolve(answered).catch((error: unknown) => {
      if (!response.headersSent)
        sendText(response, 500, error instanceof Error ? error.message : String(error));
      else response.destroy();
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    token,
    connectedClients: () => [...streams.keys()],
    async close() {
      for (const stream of streams.values()) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

/** The shim that gives a page `window.wardkeep` over this server, as one script. */
export async function bundleBridgeShim(origin: string, token: string): Promise<string> {
  const result = await build({
    entryPoints: [shimEntry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
    define: {
      wardkeepTestToken: JSON.stringify(token),
      wardkeepTestOrigin: JSON.stringify(origin),
    },
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no bridge shim');
  return output.text;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

export interface WardkeepSession {
  services: AppServices;
  registry: IpcRegistry;
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  dataDir: string;
  /** Console errors and uncaught exceptions of the page, for tests that expect none. */
  pageErrors: string[];
  /** Opens (or reopens) the app in the page and waits for its first view. */
  open(): Promise<void>;
  /** Calls a channel directly, as another client: for seeding and for checking what was stored. */
  call<C extends Channel>(
    clientId: string,
    channel: C,
    request: RequestOf<C>,
  ): Promise<ResultOf<C>>;
  /** Saves a PNG of the page in test-results/screenshots/. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface WardkeepSessionOptions {
  rendererDir?: string;
  services?: Omit<AppServicesOptions, 'dataDir'>;
  viewport?: { width: number; height: number };
}

/** Services on a fresh data folder, the test server, Chromium, and a page with the bridge. */
export async function startWardkeep(
  options: WardkeepSessionOptions = {},
): Promise<WardkeepSession> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wardkeep-e2e-'));
  const services = createAppServices({ dataDir, ...options.services });
  const registry = createIpcRegistry(services);
  const closers: Array<() => Promise<void> | void> = [
    () => services.close(),
    () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  async function closeAll(): Promise<void> {
    for (const close of closers.splice(0).reverse()) {
      await close();
    }
  }
  try {
    const server = await startTestServer({
      registry,
      ...(options.rendererDir ? { rendererDir: options.rendererDir } : {}),
    });
    closers.push(() => server.close());
    const shim = await bundleBridgeShim(server.origin, server.token);
    const browser = await launchBrowser();
    closers.push(() => browser.close());
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1440, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
      acceptDownloads: true,
    });
    await context.addInitScript({ content: shim });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));

    return {
      services,
      registry,
      server,
      browser,
      context,
      page,
      dataDir,
      pageErrors,
      async open() {
        await page.goto(`${server.origin}/`);
        await page.locator('main, .console').first().waitFor();
      },
      async call<C extends Channel>(
        clientId: string,
        channel: C,
        request: RequestOf<C>,
      ): Promise<ResultOf<C>> {
        const result = (await registry.dispatch(clientId, channel, request)) as Result<ResultOf<C>>;
        if (!result.ok)
          throw new Error(`${channel} failed: ${result.error.code}: ${result.error.message}`);
        return result.value;
      },
      async screenshot(name) {
        mkdirSync(screenshotDir, { recursive: true });
        await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Signs in through the page's sign-in form: username and password, then the authenticator code
 * `code()` gives (called only once the code step shows, so a test clock moves at the right time).
 */
export async function signInThroughPage(
  page: Page,
  username: string,
  password: string,
  code: () => string,
): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  const codeField = page.getByLabel('Code or recovery code');
  await codeField.waitFor();
  await codeField.fill(code());
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('signed-in-user').waitFor();
}

/** A fresh password for one run: tests hold no credentials. */
export function generatedTestPassword(): string {
  return `e2e ${randomBytes(12).toString('base64url')}`;
}
