// What a sign-in, step-up or break-glass failure means, in words, above main's own message (which
// says the detail: how long to wait, which code). Pure.
import type { WardkeepError } from '../../src-preload/contract';

const meanings: Partial<Record<WardkeepError['code'], string>> = {
  'auth.invalid': 'Wrong username or password',
  'auth.locked': 'Sign-in is locked for now',
  'auth.mfa_invalid': 'The code was not accepted',
  'auth.mfa_required': 'An authenticator is needed',
  'password.weak': 'The password was not accepted',
  'session.required': 'The sign-in expired',
  'setup.required': 'This console is not set up yet',
  'breakglass.unavailable': 'The emergency credential cannot be used',
  'breakglass.active': 'The emergency session is still open',
  'breakglass.review': 'The review was refused',
  'account.exists': 'That username is taken',
  'account.last_admin': 'The last administrator must stay',
  'account.disabled': 'The account is disabled',
  'permission.denied': 'Not allowed',
  'input.invalid': 'Something is missing',
  'ipc.payload': 'Something is missing or malformed',
  not_found: 'Not found',
  'audit.write_failed': 'Not done: the audit record could not be written',
  'pki.not_initialised': 'The console has no certificate authority yet',
  'pki.invalid': 'The certificate authority refused it',
  'pki.revoked': 'That certificate is revoked',
  'trust.invalid': 'The manufacturer certificates were not accepted',
  'baseline.invalid': 'The firmware baseline was not accepted',
  'baseline.signature': 'The firmware baseline signature does not verify',
  'provision.port': 'The serial port cannot be used',
  'provision.timeout': 'The device did not answer',
  'provision.protocol': 'The device broke the protocol',
  'provision.refused': 'The device refused',
  'network.invalid': 'The network policy was not accepted',
  'flows.invalid': 'The flow file was not accepted',
  'policy.conflict': 'Someone changed the policy meanwhile',
  'stepup.required': 'Confirm who you are first',
};

/** A heading for the failure; the code itself when it has none. */
export function failureTitle(error: WardkeepError): string {
  return meanings[error.code] ?? `Failed (${error.code})`;
}

/** Main's message as a sentence: first letter capital, ending with a full stop. */
export function failureSentence(error: WardkeepError): string {
  const text = error.message.trim();
  if (text === '') return '';
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
