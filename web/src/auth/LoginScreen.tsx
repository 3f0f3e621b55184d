import { useState, type FormEvent } from 'react';
import { login } from '../api/endpoints.js';
import { asApiError } from '../api/errors.js';
import { describeError } from '../ui/describeError.js';
import { navigate } from '../ui/route.js';
import { BrandHeader, useSignInConfig } from './branding.js';
import { SsoButton } from './SsoButton.js';

export function LoginScreen({ expired }: { expired: boolean }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email, password);
    } catch (e) {
      const d = describeError(asApiError(e));
      setError(`${d.title}. ${d.detail}`);
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <form className="auth__card" onSubmit={submit} aria-labelledby="login-title">
        <BrandHeader id="login-title" heading={(productName) => `Sign in to ${productName}`} />
        {expired && !error && (
          <p className="notice notice--info" role="status">
            Your session has expired. Please sign in again.
          </p>
        )}
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        <label>
          Email
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button className="button button--primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <SignUpLink />
        <SsoButton />
      </form>
    </main>
  );
}

/** Offered only while the registration policy lets people sign up. */
function SignUpLink() {
  const { registration } = useSignInConfig();
  if (!registration.open) return null;
  return (
    <p className="auth__alt">
      No account yet?{' '}
      <a
        href="/sign-up"
        onClick={(e) => {
          e.preventDefault();
          navigate('/sign-up');
        }}
      >
        Create an account
      </a>
    </p>
  );
}
