import { useState, type FormEvent } from 'react';
import { changePassword, logout } from '../api/endpoints.js';
import { asApiError } from '../api/errors.js';
import type { User } from '../api/types.js';

/** Shown instead of the app while the account still has its temporary password. */
export function PasswordChangeScreen({ user }: { user: User }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (next !== repeat) return setError('The new passwords do not match.');
    setBusy(true);
    setError(null);
    try {
      await changePassword(current, next);
    } catch (e) {
      const err = asApiError(e);
      const issues = (err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
      setError(issues?.length ? issues.map((i) => `${i.path === 'newPassword' ? 'New password' : i.path}: ${i.message}`).join('; ') : err.code === 'invalid_credentials' ? 'The current password is not right.' : err.message);
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="auth__card" onSubmit={submit} aria-labelledby="pw-title">
        <h1 id="pw-title">Choose your password</h1>
        <p className="muted">
          Welcome, {user.name}. Your account was created with a temporary password; choose your own to continue. At least 10 characters, with a letter and a digit
          or symbol.
        </p>
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        <label>
          Temporary password
          <input type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} autoFocus />
        </label>
        <label>
          New password
          <input type="password" autoComplete="new-password" required minLength={10} value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        <label>
          Repeat new password
          <input type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        </label>
        <button className="button button--primary" type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save and continue'}
        </button>
        <button className="button button--ghost" type="button" onClick={() => void logout()}>
          Sign out
        </button>
      </form>
    </main>
  );
}
