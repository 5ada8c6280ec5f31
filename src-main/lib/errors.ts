// Expected failures travel as WardkeepFailure (a code and a message for people); anything else
// that throws is unexpected and is reported as `internal` without its stack.
import type { ErrorCode, WardkeepError } from '../../src-preload/contract';

export class WardkeepFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'WardkeepFailure';
  }

  toError(): WardkeepError {
    return {
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function fail(code: ErrorCode, message: string, details?: unknown): never {
  throw new WardkeepFailure(code, message, details);
}

export function missingCase(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
