// Serving the built renderer over app://wardkeep: real files from a temporary folder, real
// fetch Requests and Responses, as protocol.handle would see them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/support/temp';
import { contentSecurityPolicy } from './policy';
import { serveRendererRequest } from './serve-renderer';

const tempDir = useTempDirs();

describe('serveRendererRequest', () => {
  let root: string;
  let outside: string;

  beforeEach(() => {
    const base = tempDir();
    root = join(base, 'renderer');
    outside = join(base, 'main');
    mkdirSync(join(root, 'assets'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Wardkeep</title>');
    writeFileSync(join(root, 'assets', 'index.js'), 'export {};');
    writeFileSync(join(outside, 'secret.txt'), 'not for the page');
  });

  it('serves index.html with its type and the content security policy', async () => {
    const response = await serveRendererRequest(root, new Request('app://wardkeep/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe('<!doctype html><title>Wardkeep</title>');
  });

  it('serves scripts as JavaScript so module scripts run', async () => {
    const response = await serveRendererRequest(
      root,
      new Request('app://wardkeep/assets/index.js'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('serves index.html for the bare origin', async () => {
    const response = await serveRendererRequest(root, new Request('app://wardkeep/'));
    expect(await response.text()).toContain('<title>Wardkeep</title>');
  });

  it('answers 404 for a file outside the renderer folder', async () => {
    const response = await serveRendererRequest(
      root,
      new Request('app://wardkeep/..%2fmain%2fsecret.txt'),
    );
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('not for the page');
  });

  it('answers 404 for a missing file and for a folder', async () => {
    expect(
      (await serveRendererRequest(root, new Request('app://wardkeep/missing.js'))).status,
    ).toBe(404);
    expect((await serveRendererRequest(root, new Request('app://wardkeep/assets'))).status).toBe(
      404,
    );
  });

  it('answers 404 for another host of the scheme', async () => {
    expect((await serveRendererRequest(root, new Request('app://other/index.html'))).status).toBe(
      404,
    );
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await serveRendererRequest(
      root,
      new Request('app://wardkeep/index.html', { method: 'POST', body: 'x' }),
    );
    expect(response.status).toBe(405);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await serveRendererRequest(
      root,
      new Request('app://wardkeep/index.html', { method: 'HEAD' }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy);
    expect(await response.text()).toBe('');
  });
});
