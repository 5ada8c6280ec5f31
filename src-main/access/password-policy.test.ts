// The password rules as a person meets them: what is refused, with which reason, and what passes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkPassword,
  commonPasswordsFileName,
  normalizePassword,
  setResourcesDir,
} from './password-policy';

const projectResources = resolve(__dirname, '..', '..', 'resources');

function reasonOf(password: string, username?: string): string {
  const verdict = checkPassword(password, username === undefined ? {} : { username });
  return verdict.ok ? 'accepted' : verdict.reason;
}

describe('checkPassword', () => {
  afterEach(() => setResourcesDir(projectResources));

  it('accepts a long passphrase of ordinary words', () => {
    expect(checkPassword('copper kettle on the night ward', { username: 'asmith' })).toEqual({
      ok: true,
    });
  });

  it('refuses a password of 12 or more characters that is on the common-password list', () => {
    expect(reasonOf('leavemealone')).toMatch(/list of common passwords/);
  });

  it('compares with the common-password list ignoring case', () => {
    expect(reasonOf('LeaveMeAlone')).toMatch(/list of common passwords/);
    expect(reasonOf('QWERTY123456')).toMatch(/list of common passwords/);
  });

  it('refuses a common password written with spaces between its words', () => {
    expect(reasonOf('leave me alone')).toMatch(/list of common passwords/);
  });

  it('refuses a password that contains the username, in any case', () => {
    expect(reasonOf('my name is ASmith on nights', 'asmith')).toMatch(/username/);
  });

  it('refuses a password that contains the username without its separators', () => {
    expect(reasonOf('jsmith-runs-the-biomed-shop', 'j.smith')).toMatch(/username/);
    expect(reasonOf('j smith runs the biomed shop', 'j.smith')).toMatch(/username/);
  });

  it('ignores a username of fewer than three letters and digits', () => {
    expect(checkPassword('the owl sang at dawn again', { username: 'ow' })).toEqual({ ok: true });
  });

  it('refuses a password that contains the name of the system', () => {
    expect(reasonOf('my WardKeep console password')).toMatch(/name of this system/);
  });

  it('allows the word hospital inside a passphrase', () => {
    expect(checkPassword('night shift at the hospital lab', {})).toEqual({ ok: true });
  });

  it('refuses a password shorter than 12 characters and says how long it is', () => {
    expect(reasonOf('short words')).toBe(
      'Use at least 12 characters (this one has 11). A few unrelated words make a long password that is easy to remember.',
    );
  });

  it('counts characters as Unicode code points, not UTF-16 units', () => {
    // Six emoji are twelve UTF-16 units but six characters.
    expect(reasonOf('🐢🦉🐙🦊🐝🦀')).toMatch(/at least 12 characters \(this one has 6\)/);
    expect(checkPassword('🐢🦉🐙🦊🐝🦀🐢🦉🐙🦊🐝🦀', {})).toEqual({ ok: true });
  });

  it('refuses a password longer than 256 characters', () => {
    expect(reasonOf('a quiet ward '.repeat(20))).toMatch(/at most 256 characters/);
    expect(checkPassword('a quiet ward '.repeat(19), {})).toEqual({ ok: true });
  });

  it('refuses one character repeated', () => {
    expect(reasonOf('zzzzzzzzzzzzzzzz')).toMatch(/one character repeated/);
  });

  it('allows symbols, spaces and any script without composition rules', () => {
    expect(checkPassword('всё спокойно на посту', {})).toEqual({ ok: true });
    expect(checkPassword('病棟の夜勤はとても静かです。', {})).toEqual({ ok: true });
    expect(checkPassword('   !!  ##  ??  ', {})).toEqual({ ok: true });
  });

  it('refuses control characters such as a tab or a line break', () => {
    expect(reasonOf('copper kettle\tnight ward')).toMatch(/control character/);
    expect(reasonOf('copper kettle\nnight ward')).toMatch(/control character/);
  });

  it('refuses a lone surrogate, which could not be encoded faithfully', () => {
    expect(reasonOf('copper kettle \ud800 night')).toMatch(/not a valid Unicode character/);
  });

  it('checks the NFKC form, so full-width text meets the same rules as ASCII', () => {
    // Full-width "leavemealone" is the common password once normalised.
    expect(reasonOf('ｌｅａｖｅｍｅａｌｏｎｅ')).toMatch(/list of common passwords/);
    // Three "ﬃ" ligatures count as nine characters after normalisation.
    expect(reasonOf('ﬃﬃﬃ')).toMatch(/this one has 9/);
  });

  it('fails closed when the common-password list is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'wardkeep-resources-'));
    try {
      setResourcesDir(empty);
      expect(() => checkPassword('copper kettle on the night ward', {})).toThrow(
        /common-passwords\.txt/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('reads the list from the folder given to setResourcesDir, skipping comment lines', () => {
    const folder = mkdtempSync(join(tmpdir(), 'wardkeep-resources-'));
    try {
      writeFileSync(
        join(folder, commonPasswordsFileName),
        '# a comment line\r\nCopper Kettle On The Night Ward\r\n',
      );
      setResourcesDir(folder);
      expect(reasonOf('copper kettle on the night ward')).toMatch(/list of common passwords/);
      expect(checkPassword('# a comment line', {})).toEqual({ ok: true });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('normalizePassword', () => {
  it('gives one form for composed and decomposed accents', () => {
    expect(normalizePassword('caf\u0065\u0301 au lait')).toBe(
      normalizePassword('caf\u00e9 au lait'),
    );
  });

  it('folds full-width and ligature forms to their plain letters', () => {
    expect(normalizePassword('Ｗａｒｄ ﬁle')).toBe('Ward file');
  });

  it('keeps case and spaces: only the comparison with lists ignores case', () => {
    expect(normalizePassword('  Night Ward  ')).toBe('  Night Ward  ');
  });
});
