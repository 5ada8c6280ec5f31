// Wardkeep's password rules, after NIST SP 800-63B-4: length decides, composition does not. A
// password is refused only when it is too short or too long, holds a control or unassigned
// character, is one repeated character, contains a context word, or is a known common password.
// Invariant: every password is NFKC-normalised (normalizePassword) before it is checked, stored
// or used to derive a key, so the same visible text always gives the same key on any keyboard.
//
// Why 12 and not NIST's 8-with-MFA: a password also unwraps its keyslot, which a thief of the
// data folder can attack offline without the TOTP factor; Argon2id slows that, length stops it.
// Context words are the username (and its letters and digits alone) and the name "wardkeep".
// "hospital" is deliberately not one: it is an ordinary word, and refusing it would turn away
// good passphrases ("night shift at the hospital lab") without costing an attacker anything.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const minimumPasswordLength = 12;
export const maximumPasswordLength = 256;

/** Names of this system: a password that contains one is refused. */
export const serviceWords: readonly string[] = ['wardkeep'];

/** A username shorter than this (letters and digits) is too common a string to refuse. */
const minimumContextWordLength = 3;

export const commonPasswordsFileName = 'common-passwords.txt';

export type PasswordVerdict = { ok: true } | { ok: false; reason: string };

export interface PasswordContext {
  username?: string;
}

/** NFKC: full-width, ligature and composed forms become one canonical text. Use before any KDF. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

let resourcesDir: string | undefined;
let commonPasswords: ReadonlySet<string> | undefined;

/** The packaged app keeps resources outside the project tree; it says where before first use. */
export function setResourcesDir(path: string): void {
  resourcesDir = path;
  commonPasswords = undefined;
}

/** `resources/` beside the nearest package.json above this module (source tree or out/main). */
function defaultResourcesDir(): string {
  const start = typeof __dirname === 'string' ? __dirname : process.cwd();
  let directory = start;
  for (;;) {
    if (existsSync(join(directory, 'package.json'))) return join(directory, 'resources');
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(
        `cannot find the project's resources folder above ${start}; call setResourcesDir()`,
      );
    }
    directory = parent;
  }
}

/**
 * Reads the list once. A missing file throws rather than passing every password: the check
 * fails closed.
 */
function loadCommonPasswords(): ReadonlySet<string> {
  if (commonPasswords) return commonPasswords;
  const file = join(resourcesDir ?? defaultResourcesDir(), commonPasswordsFileName);
  const entries = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const entry = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (entry === '' || entry.startsWith('#')) continue;
    entries.add(normalizePassword(entry).toLowerCase());
  }
  commonPasswords = entries;
  return entries;
}

/** Letters, marks and digits only: "j.smith" and "J Smith" both become "jsmith". */
function lettersAndDigits(text: string): string {
  return text.replace(/[^\p{L}\p{M}\p{N}]/gu, '');
}

function codePointCount(text: string): number {
  return Array.from(text).length;
}

// Cc: control characters (tab, line breaks, NUL…); Cs: a lone surrogate, which UTF-8 encoding
// would silently turn into U+FFFD; Cn: unassigned, whose normalisation a later Unicode may change.
const controlCharacter = /\p{Cc}/u;
const invalidCharacter = /[\p{Cs}\p{Cn}]/u;

function containsContextWord(password: string, word: string): boolean {
  const normalizedWord = normalizePassword(word).toLowerCase();
  const compactWord = lettersAndDigits(normalizedWord);
  if (codePointCount(compactWord) < minimumContextWordLength) return false;
  return password.includes(normalizedWord) || lettersAndDigits(password).includes(compactWord);
}

export function checkPassword(password: string, context: PasswordContext): PasswordVerdict {
  const normalized = normalizePassword(password);
  const length = codePointCount(normalized);
  if (length < minimumPasswordLength) {
    return {
      ok: false,
      reason: `Use at least ${minimumPasswordLength} characters (this one has ${length}). A few unrelated words make a long password that is easy to remember.`,
    };
  }
  if (length > maximumPasswordLength) {
    return {
      ok: false,
      reason: `Use at most ${maximumPasswordLength} characters (this one has ${length}).`,
    };
  }
  if (controlCharacter.test(normalized)) {
    return {
      ok: false,
      reason:
        'The password contains a control character such as a tab or a line break. Letters, digits, symbols and spaces are all allowed.',
    };
  }
  if (invalidCharacter.test(normalized)) {
    return {
      ok: false,
      reason:
        'The password contains a character that is not a valid Unicode character. Please type it again.',
    };
  }
  if (new Set(normalized).size === 1) {
    return {
      ok: false,
      reason:
        'The password is one character repeated. Choose a password of different characters or words.',
    };
  }
  const lowered = normalized.toLowerCase();
  if (context.username !== undefined && containsContextWord(lowered, context.username)) {
    return { ok: false, reason: 'The password must not contain your username.' };
  }
  if (serviceWords.some((word) => containsContextWord(lowered, word))) {
    return {
      ok: false,
      reason: 'The password must not contain the name of this system (Wardkeep).',
    };
  }
  const list = loadCommonPasswords();
  if (list.has(lowered) || list.has(lettersAndDigits(lowered))) {
    return {
      ok: false,
      reason:
        'This password is on a list of common passwords that attackers try first. Choose another, for example a few unrelated words.',
    };
  }
  return { ok: true };
}
