// Accounts (administrators): every account with its role, authenticator, password, lock and
// recovery-code state; create one (its initial password is shown once, to hand over), change a
// role, unlock, disable, delete. Every change is a privileged action: the step-up dialog asks for
// the password and code when the last confirmation is older than 5 minutes.
// Invariant: after every change the list is read again from main, never patched locally.
import { useCallback, useEffect, useState } from 'react';
import type { AccountSummary, Role, WardkeepError } from '../../src-preload/contract';
import { roles } from '../../src-preload/contract';
import { call } from '../api/wardkeep';
import { Alert } from '../shared/Alert';
import { Dialog } from '../shared/Dialog';
import { FailureAlert } from '../shared/FailureAlert';
import { SecretCode } from '../shared/SecretCode';
import { TextField } from '../shared/TextField';
import { roleLabels } from '../shared/labels';
import { usernameProblem } from '../session/credentialRules';
import { useSessionStore } from '../session/sessionStore';

const accountFailures = [
  'account.exists',
  'account.last_admin',
  'permission.denied',
  'not_found',
  'ipc.payload',
  'stepup.required',
] as const;

interface Issued {
  username: string;
  initialPassword: string;
}

export function AccountsView() {
  const [accounts, setAccounts] = useState<AccountSummary[] | null>(null);
  const [error, setError] = useState<WardkeepError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const self = useSessionStore((state) => state.user?.username ?? '');

  const load = useCallback(async () => {
    const result = await call('accounts:list', {});
    if (result.ok) setAccounts(result.value);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  /** Runs one change; a refused step-up (cancelled) is not an error worth showing. */
  async function change(
    run: () => Promise<{ ok: true } | { ok: false; error: WardkeepError }>,
    success: string,
  ): Promise<boolean> {
    if (busy) return false;
    setBusy(true);
    setError(null);
    setDone(null);
    const result = await run();
    setBusy(false);
    await load();
    if (result.ok) {
      setDone(success);
      return true;
    }
    if (result.error.code !== 'stepup.required') setError(result.error);
    return false;
  }

  return (
    <div className="admin-view" data-testid="accounts-view">
      <div className="admin-view__header">
        <h1>Accounts</h1>
        <p className="muted">
          Each person signs in with their own account, password and authenticator. Roles decide what
          they may do; the last administrator cannot be removed.
        </p>
      </div>
      <CreateAccountForm
        busy={busy}
        onCreate={async (username, role) => {
          const created: { value: Issued | null } = { value: null };
          const ok = await change(async () => {
            const result = await call('accounts:create', { username, role }, accountFailures);
            if (result.ok) created.value = result.value;
            return result;
          }, `Account ${username} created.`);
          if (created.value !== null) setIssued(created.value);
          return ok;
        }}
      />
      {error ? <FailureAlert error={error} testId="accounts-error" /> : null}
      {done ? (
        <Alert tone="success" testId="accounts-done">
          {done}
        </Alert>
      ) : null}
      {accounts === null ? (
        <p className="muted">Loading accounts…</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table accounts-table" aria-label="Accounts">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Role</th>
                <th scope="col">Authenticator</th>
                <th scope="col">Password</th>
                <th scope="col">State</th>
                <th scope="col">Recovery codes left</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => (
                <AccountRow
                  key={account.username}
                  account={account}
                  isSelf={account.username === self}
                  busy={busy}
                  onRole={(role) =>
                    change(
                      () =>
                        call(
                          'accounts:role',
                          { username: account.username, role },
                          accountFailures,
                        ),
                      `${account.username} is now ${roleLabels[role].toLowerCase()}.`,
                    )
                  }
                  onUnlock={() =>
                    change(
                      () =>
                        call('accounts:unlock', { username: account.username }, accountFailures),
                      `${account.username} can sign in again.`,
                    )
                  }
                  onDisable={() =>
                    change(
                      () =>
                        call('accounts:disable', { username: account.username }, accountFailures),
                      `${account.username} is disabled; their sessions ended.`,
                    )
                  }
                  onDelete={() => setDeleting(account.username)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {issued ? <IssuedPasswordDialog issued={issued} onClose={() => setIssued(null)} /> : null}
      {deleting ? (
        <Dialog title={`Delete ${deleting}?`} onClose={() => setDeleting(null)} tone="danger">
          <p className="modal__lead">
            The account <strong>{deleting}</strong> is removed for good: it can no longer sign in
            and its sessions end now. Its actions stay in the audit log under its name.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setDeleting(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() => {
                const username = deleting;
                setDeleting(null);
                void change(
                  () => call('accounts:delete', { username }, accountFailures),
                  `${username} was deleted.`,
                );
              }}
            >
              Delete account
            </button>
          </div>
        </Dialog>
      ) : null}
    </div>
  );
}

function CreateAccountForm({
  busy,
  onCreate,
}: {
  busy: boolean;
  onCreate: (username: string, role: Role) => Promise<boolean>;
}) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('technician');
  const [submitted, setSubmitted] = useState(false);
  const problem = submitted ? usernameProblem(username) : null;
  return (
    <form
      className="inline-form"
      aria-label="New account"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setSubmitted(true);
        if (busy || usernameProblem(username) !== null) return;
        void onCreate(username, role).then((created) => {
          if (created) {
            setUsername('');
            setSubmitted(false);
          }
        });
      }}
    >
      <TextField
        label="New username"
        value={username}
        onValueChange={(value) => setUsername(value.toLowerCase())}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        error={problem}
      />
      <div className="field">
        <label htmlFor="new-account-role">Role</label>
        <select
          id="new-account-role"
          value={role}
          onChange={(event) => setRole(event.target.value as Role)}
        >
          {roles.map((value) => (
            <option key={value} value={value}>
              {roleLabels[value]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button--primary" disabled={busy}>
        Create account
      </button>
    </form>
  );
}

function AccountRow({
  account,
  isSelf,
  busy,
  onRole,
  onUnlock,
  onDisable,
  onDelete,
}: {
  account: AccountSummary;
  isSelf: boolean;
  busy: boolean;
  onRole: (role: Role) => Promise<boolean>;
  onUnlock: () => Promise<boolean>;
  onDisable: () => Promise<boolean>;
  onDelete: () => void;
}) {
  const [role, setRole] = useState<Role>(account.role);
  const disabled = account.disabledAt !== null;
  const selfNote = isSelf ? 'Ask another administrator to change your own account' : undefined;
  return (
    <tr data-testid="account-row" data-username={account.username}>
      <th scope="row">
        {account.username}
        {isSelf ? <span className="muted"> (you)</span> : null}
      </th>
      <td>
        <span className="role-change">
          <select
            aria-label={`Role of ${account.username}`}
            value={role}
            disabled={isSelf || disabled || busy}
            title={selfNote}
            onChange={(event) => setRole(event.target.value as Role)}
          >
            {roles.map((value) => (
              <option key={value} value={value}>
                {roleLabels[value]}
              </option>
            ))}
          </select>
          {role !== account.role ? (
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              onClick={() =>
                void onRole(role).then((changed) => {
                  if (!changed) setRole(account.role);
                })
              }
            >
              Apply
            </button>
          ) : null}
        </span>
      </td>
      <td>{account.mfaEnrolled ? 'Enrolled' : <span className="state--due">Not yet</span>}</td>
      <td>
        {account.mustChangePassword ? (
          <span className="state--due">Must change at first sign-in</span>
        ) : (
          'Chosen by the user'
        )}
      </td>
      <td data-testid="account-state">
        {disabled ? (
          <span className="state--bad">Disabled</span>
        ) : account.locked ? (
          <span className="state--bad">Locked (failed sign-ins)</span>
        ) : (
          'Active'
        )}
      </td>
      <td
        className={account.mfaEnrolled && account.recoveryCodesLeft < 3 ? 'state--due' : undefined}
      >
        {account.mfaEnrolled ? account.recoveryCodesLeft : '–'}
      </td>
      <td>
        {account.createdAt.slice(0, 10)}
        {account.createdBy ? <span className="muted"> by {account.createdBy}</span> : null}
      </td>
      <td>
        <span className="row-actions">
          {account.locked && !disabled ? (
            <button
              type="button"
              className="button button--small"
              disabled={busy}
              onClick={() => void onUnlock()}
            >
              Unlock
            </button>
          ) : null}
          {disabled ? null : (
            <button
              type="button"
              className="button button--small"
              disabled={busy || isSelf}
              title={selfNote}
              onClick={() => void onDisable()}
            >
              Disable
            </button>
          )}
          <button
            type="button"
            className="button button--small button--danger-outline"
            disabled={busy || isSelf}
            title={selfNote}
            onClick={onDelete}
          >
            Delete…
          </button>
        </span>
      </td>
    </tr>
  );
}

function IssuedPasswordDialog({ issued, onClose }: { issued: Issued; onClose: () => void }) {
  const [handedOver, setHandedOver] = useState(false);
  return (
    <Dialog
      title={`Initial password for ${issued.username}`}
      onClose={() => {
        if (handedOver) onClose();
      }}
      testId="initial-password-dialog"
    >
      <p className="modal__lead">
        <strong>Shown only this once.</strong> Hand it to {issued.username} in person. At the first
        sign-in they choose their own password and set up their authenticator app.
      </p>
      <SecretCode
        value={issued.initialPassword}
        label="Initial password"
        testId="initial-password"
      />
      <label className="checkbox">
        <input
          type="checkbox"
          checked={handedOver}
          onChange={(event) => setHandedOver(event.target.checked)}
        />
        I have handed over the password
      </label>
      <div className="dialog-actions">
        <button
          type="button"
          className="button button--primary"
          disabled={!handedOver}
          onClick={onClose}
        >
          Done
        </button>
      </div>
    </Dialog>
  );
}
