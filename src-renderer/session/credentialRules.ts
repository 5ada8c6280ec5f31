// The rules a new username and password must meet, checked in the window before anything is
// sent so people see them as they type. Main checks them again (and against the list of common
// passwords); these checks never replace that.

export const minimumPasswordLength = 12;
export const maximumUsernameLength = 64;
const usernamePattern = /^[a-z0-9][a-z0-9._-]*$/;

/** A message saying what is wrong with the username, or null when it is acceptable. */
export function usernameProblem(username: string): string | null {
  if (username === '') return 'Enter a username.';
  if (username.length > maximumUsernameLength)
    return `Use at most ${maximumUsernameLength} characters.`;
  if (!usernamePattern.test(username)) {
    return 'Use lowercase letters, digits, dot, dash and underscore, starting with a letter or digit.';
  }
  return null;
}

export interface PasswordChecks {
  longEnough: boolean;
  matches: boolean;
}

export function checkNewPassword(password: string, repeated: string): PasswordChecks {
  return {
    longEnough: [...password].length >= minimumPasswordLength,
    matches: password !== '' && password === repeated,
  };
}

export function newPasswordAcceptable(checks: PasswordChecks): boolean {
  return checks.longEnough && checks.matches;
}
