// The Electron shell's security decisions as plain functions, so they run and are tested under
// Node without Electron: the window's web preferences, which origins count as ours, which file a
// request for app://wardkeep/… may read, and the headers every page is served with.
// Invariant: a URL is ours only if it parses and its scheme and host match exactly; anything
// that does not parse, or resolves outside the renderer folder, is refused.
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

export const appScheme = 'app';
export const appHost = 'wardkeep';
/** Custom schemes have an opaque WHATWG origin ("null"), so ours is spelled out here. */
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The subset of Electron's WebPreferences Wardkeep sets; every field is fixed but the two paths. */
export interface HardenedWebPreferences {
  preload: string;
  sandbox: true;
  contextIsolation: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  devTools: boolean;
}

export function hardenedWebPreferences(
  preloadPath: string,
  developerTools = false,
): HardenedWebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    devTools: developerTools,
  };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** `app://wardkeep` for our scheme, the WHATWG origin for http(s), null for anything else. */
export function originOf(url: string): string | null {
  const parsed = parse(url);
  if (!parsed || parsed.username !== '' || parsed.password !== '') return null;
  if (parsed.protocol === `${appScheme}:`)
    return parsed.host === '' ? null : `${appScheme}://${parsed.host}`;
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin;
  return null;
}

/** True when the URL belongs to one of our origins: the app scheme, or the dev server in dev. */
export function isTrustedSenderUrl(
  url: string,
  trustedOrigins: readonly string[] = [appOrigin],
): boolean {
  const origin = originOf(url);
  return origin !== null && trustedOrigins.includes(origin);
}

/** What the shell knows about an IPC message's sender, reduced to plain values. */
export interface SenderFacts {
  senderWebContentsId: number;
  /** The id of our window's webContents, or null when there is no live window. */
  windowWebContentsId: number | null;
  /** The sending frame, or null when it navigated away or was destroyed before we looked. */
  frame: { url: string; isWindowTopFrame: boolean } | null;
}

/** A message is ours only from the top frame of our own window, showing one of our origins. */
export function isTrustedSender(
  facts: SenderFacts,
  trustedOrigins: readonly string[] = [appOrigin],
): boolean {
  return (
    facts.windowWebContentsId !== null &&
    facts.senderWebContentsId === facts.windowWebContentsId &&
    facts.frame !== null &&
    facts.frame.isWindowTopFrame &&
    isTrustedSenderUrl(facts.frame.url, trustedOrigins)
  );
}

/**
 * The renderer's own request to http(s)/ws(s)/file: allowed only to the dev server in development,
 * whose WebSocket (hot reload) shares its host and port. Production pages make none at all.
 */
export function isPermittedNetworkRequest(url: string, trustedOrigins: readonly string[]): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  const equivalentProtocol: Record<string, string> = { 'ws:': 'http:', 'wss:': 'https:' };
  const protocol = equivalentProtocol[parsed.protocol] ?? parsed.protocol;
  if (protocol !== 'http:' && protocol !== 'https:') return false;
  return trustedOrigins.includes(`${protocol}//${parsed.host}`);
}

/**
 * electron-vite's dev server (ELECTRON_RENDERER_URL) is trusted only in an unpackaged app and
 * only on the loopback interface; anything else is ignored and the built renderer is served.
 */
export function developmentRendererOrigin(
  rendererUrl: string | undefined,
  isPackaged: boolean,
): string | null {
  if (isPackaged || !rendererUrl) return null;
  const parsed = parse(rendererUrl);
  if (!parsed || parsed.protocol !== 'http:') return null;
  if (!['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)) return null;
  return parsed.origin;
}

/**
 * The file under `root` that app://wardkeep/<path> names, or null: wrong scheme or host,
 * undecodable escapes, NUL or backslash, or a path that leaves the folder (`..`, `%2e%2e%2f`,
 * an absolute path after decoding). "/" serves index.html.
 */
export function resolveRendererFile(root: string, requestUrl: string): string | null {
  const parsed = parse(requestUrl);
  if (!parsed || parsed.protocol !== `${appScheme}:` || parsed.host !== appHost) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '' || pathname.endsWith('/')) pathname += 'index.html';
  const base = resolve(root);
  const file = resolve(base, `.${pathname.startsWith('/') ? pathname : `/${pathname}`}`);
  const inside = relative(base, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
    return null;
  return file;
}

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeTypeFor(file: string): string {
  return mimeTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers for every file served from app://wardkeep: the CSP travels with each response. */
export function rendererResponseHeaders(file: string): Record<string, string> {
  return {
    'Content-Type': mimeTypeFor(file),
    'Content-Security-Policy': contentSecurityPolicy,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}
