import { describe, expect, it } from 'vitest';
import { checkNewPassword, newPasswordAcceptable, usernameProblem } from './credentialRules';

describe('usernameProblem', () => {
  it('accepts lowercase names with dots, dashes and underscores', () => {
    expect(usernameProblem('j.doe-biomed_2')).toBeNull();
  });

  it('rejects empty, uppercase, and names starting with punctuation', () => {
    expect(usernameProblem('')).not.toBeNull();
    expect(usernameProblem('JDoe')).not.toBeNull();
    expect(usernameProblem('.jdoe')).not.toBeNull();
  });

  it('rejects names longer than 64 characters', () => {
    expect(usernameProblem('a'.repeat(65))).not.toBeNull();
    expect(usernameProblem('a'.repeat(64))).toBeNull();
  });
});

describe('checkNewPassword', () => {
  it('counts characters, not UTF-16 code units, toward the minimum length', () => {
    const elevenEmoji = '🔒'.repeat(11);
    expect(checkNewPassword(elevenEmoji, elevenEmoji).longEnough).toBe(false);
    expect(checkNewPassword(`${elevenEmoji}x`, `${elevenEmoji}x`).longEnough).toBe(true);
  });

  it('requires the repeated password to match', () => {
    const typed = 'x'.repeat(14);
    const checks = checkNewPassword(typed, `${typed.slice(1)}y`);
    expect(checks.matches).toBe(false);
    expect(newPasswordAcceptable(checks)).toBe(false);
  });

  it('does not call two empty fields a match', () => {
    expect(checkNewPassword('', '').matches).toBe(false);
  });
});
