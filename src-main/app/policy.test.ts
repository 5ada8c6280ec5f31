// The shell's security decisions, exercised without Electron: web preferences, trusted origins and
// senders, the renderer file resolver's traversal protection, and the headers pages carry.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appEntryUrl,
  appOrigin,
  contentSecurityPolicy,
  developmentRendererOrigin,
  hardenedWebPreferences,
  isPermittedNetworkRequest,
  isTrustedSender,
  isTrustedSenderUrl,
  mimeTypeFor,
  originOf,
  rendererResponseHeaders,
  resolveRendererFile,
} from './policy';
import type { SenderFacts } from './policy';

const root = resolve('/srv/wardkeep/out/renderer');

describe('hardenedWebPreferences', () => {
  it('sandboxes and isolates the renderer with no Node access', () => {
    const preferences = hardenedWebPreferences('/app/out/preload/index.js');
    expect(preferences).toMatchObject({
      preload: '/app/out/preload/index.js',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    });
  });

  it('leaves developer tools off unless asked for', () => {
    expect(hardenedWebPreferences('/p.js').devTools).toBe(false);
    expect(hardenedWebPreferences('/p.js', true).devTools).toBe(true);
  });
});

describe('isTrustedSenderUrl', () => {
  it('trusts pages of app://wardkeep, which WHATWG gives an opaque origin', () => {
    expect(new URL(appEntryUrl).origin).toBe('null');
    expect(isTrustedSenderUrl(appEntryUrl)).toBe(true);
    expect(isTrustedSenderUrl('app://wardkeep/inventory/index.html#devices')).toBe(true);
  });

  it('refuses another host of the same scheme', () => {
    expect(isTrustedSenderUrl('app://evil/index.html')).toBe(false);
    expect(isTrustedSenderUrl('app://wardkeep.evil/index.html')).toBe(false);
  });

  it('refuses remote, file, data, blob and about pages', () => {
    for (const url of [
      'https://wardkeep/index.html',
      'http://localhost:5173/',
      'file:///srv/wardkeep/out/renderer/index.html',
      'data:text/html,<p>hi</p>',
      'blob:app://wardkeep/5e0c',
      'about:blank',
      'devtools://devtools/bundled/inspector.html',
    ]) {
      expect(isTrustedSenderUrl(url), url).toBe(false);
    }
  });

  it('refuses URLs with credentials and strings that are not URLs', () => {
    expect(isTrustedSenderUrl('app://user:secret@wardkeep/index.html')).toBe(false);
    expect(isTrustedSenderUrl('')).toBe(false);
    expect(isTrustedSenderUrl('index.html')).toBe(false);
  });

  it('trusts the development server only when it is in the trusted list', () => {
    const origins = [appOrigin, 'http://localhost:5173'];
    expect(isTrustedSenderUrl('http://localhost:5173/index.html', origins)).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/index.html', origins)).toBe(false);
  });
});

describe('isTrustedSender', () => {
  const trusted: SenderFacts = {
    senderWebContentsId: 7,
    windowWebContentsId: 7,
    frame: { url: appEntryUrl, isWindowTopFrame: true },
  };

  it('accepts the top frame of our window on our origin', () => {
    expect(isTrustedSender(trusted)).toBe(true);
  });

  it('refuses another webContents', () => {
    expect(isTrustedSender({ ...trusted, senderWebContentsId: 8 })).toBe(false);
  });

  it('refuses when the window is gone', () => {
    expect(isTrustedSender({ ...trusted, windowWebContentsId: null })).toBe(false);
  });

  it('refuses a subframe, even one on our origin', () => {
    expect(
      isTrustedSender({ ...trusted, frame: { url: appEntryUrl, isWindowTopFrame: false } }),
    ).toBe(false);
  });

  it('refuses a frame that is already gone', () => {
    expect(isTrustedSender({ ...trusted, frame: null })).toBe(false);
  });

  it('refuses our top frame showing a foreign page', () => {
    expect(
      isTrustedSender({
        ...trusted,
        frame: { url: 'https://example.org/', isWindowTopFrame: true },
      }),
    ).toBe(false);
  });
});

describe('resolveRendererFile', () => {
  it('maps a path under app://wardkeep to the file under the renderer folder', () => {
    expect(resolveRendererFile(root, 'app://wardkeep/assets/index-3f2a.js')).toBe(
      join(root, 'assets', 'index-3f2a.js'),
    );
  });

  it('serves index.html for the root and for a folder', () => {
    expect(resolveRendererFile(root, 'app://wardkeep/')).toBe(join(root, 'index.html'));
    expect(resolveRendererFile(root, 'app://wardkeep')).toBe(join(root, 'index.html'));
    expect(resolveRendererFile(root, 'app://wardkeep/assets/')).toBe(
      join(root, 'assets', 'index.html'),
    );
  });

  it('ignores the query and the fragment', () => {
    expect(resolveRendererFile(root, 'app://wardkeep/index.html?v=2#devices')).toBe(
      join(root, 'index.html'),
    );
  });

  it('decodes escaped characters in file names', () => {
    expect(resolveRendererFile(root, 'app://wardkeep/fonts/Open%20Sans.woff2')).toBe(
      join(root, 'fonts', 'Open Sans.woff2'),
    );
  });

  it('keeps dot-dot segments inside the folder', () => {
    expect(resolveRendererFile(root, 'app://wardkeep/../../etc/passwd')).toBe(
      join(root, 'etc', 'passwd'),
    );
    expect(resolveRendererFile(root, 'app://wardkeep/%2e%2e/%2e%2e/etc/passwd')).toBe(
      join(root, 'etc', 'passwd'),
    );
  });

  it('refuses escaped slashes that would climb out of the folder', () => {
    expect(resolveRendererFile(root, 'app://wardkeep/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(
      resolveRendererFile(root, 'app://wardkeep/assets/..%2F..%2F..%2Fmain%2Findex.js'),
    ).toBeNull();
    expect(resolveRendererFile(root, 'app://wardkeep/%2e%2e%2fsecret')).toBeNull();
  });

  it('refuses a path that names a sibling folder sharing the prefix', () => {
    expect(resolveRendererFile(root, 'app://wardkeep/..%2frenderer-private%2fkey.pem')).toBeNull();
  });

  it('refuses backslashes, NUL and malformed escapes', () => {
    expect(resolveRendererFile(root, 'app://wardkeep/..%5c..%5cetc%5cpasswd')).toBeNull();
    expect(resolveRendererFile(root, 'app://wardkeep/index.html%00.png')).toBeNull();
    expect(resolveRendererFile(root, 'app://wardkeep/%E0%A4%A')).toBeNull();
  });

  it('refuses another scheme or host', () => {
    expect(resolveRendererFile(root, 'file:///srv/wardkeep/out/renderer/index.html')).toBeNull();
    expect(resolveRendererFile(root, 'app://other/index.html')).toBeNull();
    expect(resolveRendererFile(root, 'https://wardkeep/index.html')).toBeNull();
    expect(resolveRendererFile(root, 'not a url')).toBeNull();
  });
});

describe('response headers', () => {
  it('carries the strict content security policy on every file', () => {
    expect(rendererResponseHeaders(join(root, 'index.html'))['Content-Security-Policy']).toBe(
      contentSecurityPolicy,
    );
    expect(
      rendererResponseHeaders(join(root, 'assets', 'logo.svg'))['Content-Security-Policy'],
    ).toBe(contentSecurityPolicy);
  });

  it('allows only our own origin for scripts, styles and connections, and no plugins or framing', () => {
    const directives = new Map(
      contentSecurityPolicy.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'connect-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
  });

  it('names the content type and forbids sniffing', () => {
    expect(rendererResponseHeaders('/r/index.html')).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(mimeTypeFor('/r/assets/index.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('/r/assets/unknown.bin')).toBe('application/octet-stream');
  });
});

describe('development server', () => {
  it('is trusted only on loopback http in an unpackaged app', () => {
    expect(developmentRendererOrigin('http://localhost:5173', false)).toBe('http://localhost:5173');
    expect(developmentRendererOrigin('http://127.0.0.1:5173/', false)).toBe(
      'http://127.0.0.1:5173',
    );
    expect(developmentRendererOrigin('http://localhost:5173', true)).toBeNull();
    expect(developmentRendererOrigin('http://192.168.1.20:5173', false)).toBeNull();
    expect(developmentRendererOrigin('https://localhost:5173', false)).toBeNull();
    expect(developmentRendererOrigin(undefined, false)).toBeNull();
    expect(developmentRendererOrigin('', false)).toBeNull();
  });

  it('lets the page reach only the development server and its hot-reload socket', () => {
    const origins = [appOrigin, 'http://localhost:5173'];
    expect(isPermittedNetworkRequest('http://localhost:5173/src/main.tsx', origins)).toBe(true);
    expect(isPermittedNetworkRequest('ws://localhost:5173/', origins)).toBe(true);
    expect(isPermittedNetworkRequest('http://localhost:8080/', origins)).toBe(false);
    expect(isPermittedNetworkRequest('https://example.org/', origins)).toBe(false);
    expect(isPermittedNetworkRequest('file:///etc/passwd', origins)).toBe(false);
  });

  it('permits no network request at all in production', () => {
    expect(isPermittedNetworkRequest('http://localhost:5173/', [appOrigin])).toBe(false);
    expect(isPermittedNetworkRequest('https://updates.example.org/', [appOrigin])).toBe(false);
  });
});

describe('originOf', () => {
  it('spells the app origin out and uses the WHATWG origin for http', () => {
    expect(originOf('app://wardkeep/x.js')).toBe(appOrigin);
    expect(originOf('https://example.org:8443/a')).toBe('https://example.org:8443');
    expect(originOf('file:///etc/passwd')).toBeNull();
  });
});
