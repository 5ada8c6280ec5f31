// A fresh temporary directory per test, removed afterwards, so tests never share state on disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

export function useTempDirs(): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'wardkeep-test-'));
    made.push(dir);
    return dir;
  };
}

/** A password no list contains, made fresh for each run: tests hold no credentials. */
export function generatedPassword(): string {
  return `pw ${crypto.randomUUID()}`;
}
