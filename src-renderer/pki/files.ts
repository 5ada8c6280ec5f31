// Files the user picks, read in the window: PEM and JSON as text, PKCS#12 as base64. Nothing
// crosses to main as a path. Invariant: a file larger than the contract allows is refused here,
// with its size, before it is read.
import type { Result } from '../../src-preload/contract';
import { bytesToBase64 } from './base64';

function tooLarge(file: File, maximumBytes: number): Result<never> | null {
  if (file.size <= maximumBytes) return null;
  return {
    ok: false,
    error: {
      code: 'input.invalid',
      message: `${file.name} is ${file.size} bytes; at most ${maximumBytes} bytes are accepted`,
    },
  };
}

export async function readFileText(file: File, maximumBytes: number): Promise<Result<string>> {
  return tooLarge(file, maximumBytes) ?? { ok: true, value: await file.text() };
}

export async function readFileBase64(file: File, maximumBytes: number): Promise<Result<string>> {
  return (
    tooLarge(file, maximumBytes) ?? {
      ok: true,
      value: bytesToBase64(new Uint8Array(await file.arrayBuffer())),
    }
  );
}
