// The command line's arguments and secrets: options parsed strictly (an unknown or misspelt option
// is an error, never ignored), and secrets read only from a file's first line or a terminal prompt.
// A secret offered as an argument is refused before anything runs: argv is visible to every user.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeUtf8 } from '../inventory/csv';
import { writeFileAtomic } from '../lib/files';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Asks for a secret without echo; undefined when there is no terminal to ask on. */
  promptSecret?: (question: string) => Promise<string>;
}

export const exitCodes = { ok: 0, error: 1, invalidInput: 2 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface ParsedArguments {
  positionals: string[];
  options: Map<string, string | true>;
}

const valueOptions = new Set([
  'data-dir',
  'user',
  'password-file',
  'totp-file',
  'new-password-file',
  'recovery-file',
  'emergency-file',
  'opened-by',
  'reason',
  'reason-text',
  'role',
  'comment',
  'actor',
  'action',
  'outcome',
  'from',
  'to',
  'engineer',
  'query',
  'class',
  'criticality',
  'site',
  'lifecycle',
  'offset',
  'limit',
  'format',
  'out',
  'mapping',
  'since',
  'port',
  'zone',
  'vlan',
  'device',
  'csr',
  'key',
  'pkcs12-password-file',
  'status',
  'expiring',
  'manufacturer',
]);
const flagOptions = new Set([
  'json',
  'skip-invalid',
  'help',
  'emergency-only',
  'release-quarantine',
]);

/** Secrets people might try to pass inline, and the option that takes them safely. */
const secretOptions: Readonly<Record<string, string>> = {
  password: 'password-file',
  'new-password': 'new-password-file',
  'recovery-code': 'recovery-file',
  totp: 'totp-file',
  code: 'totp-file',
  emergency: 'emergency-file',
  'emergency-credential': 'emergency-file',
  credential: 'emergency-file',
};

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!argument.startsWith('--')) {
      positionals.push(argument);
      continue;
    }
    const [name, inline] = argument.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const safeOption = secretOptions[name];
    if (safeOption) {
      throw new CliError(
        `--${name} is not accepted: pass secrets with --${safeOption} FILE or at the prompt`,
        exitCodes.invalidInput,
      );
    }
    if (flagOptions.has(name)) {
      if (inline !== undefined)
        throw new CliError(`--${name} takes no value`, exitCodes.invalidInput);
      options.set(name, true);
    } else if (valueOptions.has(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new CliError(`--${name} needs a value`, exitCodes.invalidInput);
      }
      options.set(name, value);
    } else {
      throw new CliError(`unknown option --${name}`, exitCodes.invalidInput);
    }
  }
  return { positionals, options };
}

export function option(parsed: ParsedArguments, name: string): string | undefined {
  const value = parsed.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function enumOption<T extends string>(
  parsed: ParsedArguments,
  name: string,
  values: readonly T[],
): T | undefined {
  const value = option(parsed, name);
  if (value === undefined) return undefined;
  return oneOf(value, `--${name}`, values);
}

/** `value` when it is one of `values`; otherwise an invalid-input error naming `what`. */
export function oneOf<T extends string>(value: string, what: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(value)) {
    throw new CliError(
      `${what} must be one of ${values.join(', ')} (got ${JSON.stringify(value)})`,
      exitCodes.invalidInput,
    );
  }
  return value as T;
}

export function integerOption(parsed: ParsedArguments, name: string): number | undefined {
  const value = option(parsed, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new CliError(
      `--${name} must be a whole number (got ${JSON.stringify(value)})`,
      exitCodes.invalidInput,
    );
  return Number(value);
}

/**
 * The first line of a secret file, read at the moment it is needed: a script may create the file
 * (or write into a named pipe) after reading what the command printed before, such as the
 * authenticator secret at enrolment.
 */
function readSecretFile(path: string, what: string, io: CliIo): string {
  let content: string;
  try {
    const stat = statSync(path);
    if ((stat.mode & 0o077) !== 0 && process.platform !== 'win32') {
      io.stderr(
        `wardkeep: warning: ${what} file ${path} is readable by other users (chmod 600 it)\n`,
      );
    }
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      exitCodes.invalidInput,
    );
  }
  const firstLine = content.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.length === 0)
    throw new CliError(`${what} file ${path} is empty`, exitCodes.invalidInput);
  return firstLine;
}

export async function secret(
  parsed: ParsedArguments,
  fileOption: string,
  what: string,
  io: CliIo,
): Promise<string> {
  const path = option(parsed, fileOption);
  if (path) return readSecretFile(path, what, io);
  if (io.promptSecret) return io.promptSecret(`${what}: `);
  throw new CliError(
    `no ${what}: pass --${fileOption} FILE (no terminal to prompt on)`,
    exitCodes.invalidInput,
  );
}

/** A secret being chosen: from its file, or typed twice at the prompt so a typo is caught. */
export async function newSecret(
  parsed: ParsedArguments,
  fileOption: string,
  what: string,
  io: CliIo,
): Promise<string> {
  const first = await secret(parsed, fileOption, what, io);
  if (option(parsed, fileOption) || !io.promptSecret) return first;
  const again = await io.promptSecret(`${what} again: `);
  if (again !== first) throw new CliError(`the two ${what}s differ`, exitCodes.invalidInput);
  return first;
}

/** Refuses positional arguments other than `names` (exactly), naming what was given. */
export function expectArguments(command: string, actual: string[], names: string[]): string[] {
  if (actual.length !== names.length || actual.some((value) => value.length === 0)) {
    throw new CliError(
      names.length === 0
        ? `${command} takes no arguments (got ${actual.join(' ')})`
        : `${command} takes ${names.join(' ')} (got ${actual.length ? actual.join(' ') : 'nothing'})`,
      exitCodes.invalidInput,
    );
  }
  return actual;
}

export function json(parsed: ParsedArguments): boolean {
  return parsed.options.has('json');
}

/** A whole input file as strict UTF-8 (BOM allowed); unreadable or invalid: exit 2. */
export function readInputFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      exitCodes.invalidInput,
    );
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) throw new CliError(`${path}: ${decoded.error.message}`, exitCodes.invalidInput);
  return decoded.text;
}

/** Writes to --out (atomically) or to stdout; a file keeps a BOM, a pipe gets plain text. */
export function deliverOutput(parsed: ParsedArguments, io: CliIo, content: string): void {
  const out = option(parsed, 'out');
  if (out) {
    try {
      writeFileAtomic(resolve(out), content);
    } catch (error) {
      throw new CliError(
        `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        exitCodes.error,
      );
    }
    io.stderr(`wrote ${out}\n`);
    return;
  }
  const text = content.replace(/^\uFEFF/, '');
  io.stdout(text.endsWith('\n') ? text : `${text}\n`);
}

/** Rows as tab-separated lines under a header: readable, and cut/awk-friendly. */
export function table(io: CliIo, header: string[], rows: string[][]): void {
  io.stdout(`${[header, ...rows].map((row) => row.join('\t')).join('\n')}\n`);
}
