// Answers a request for app://wardkeep/… from the built renderer folder, the way protocol.handle
// expects: a fetch Response. Kept free of Electron so the real serving path runs under Node tests.
// Invariant: only GET and HEAD, only files that resolveRendererFile places inside the folder, and
// every success carries the content security policy.
import { readFile } from 'node:fs/promises';
import { rendererResponseHeaders, resolveRendererFile } from './policy';

export async function serveRendererRequest(root: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response(null, { status: 405, headers: { Allow: 'GET, HEAD' } });
  }
  const file = resolveRendererFile(root, request.url);
  if (file === null) return new Response('Not found', { status: 404 });
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    // Missing, a folder, or unreadable: the page learns only that there is nothing there.
    return new Response('Not found', { status: 404 });
  }
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
    status: 200,
    headers: rendererResponseHeaders(file),
  });
}
