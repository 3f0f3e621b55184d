import { useEffect, useState, type FormEvent } from 'react';
import { register } from '../api/endpoints.js';
import { asApiError } from '../api/errors.js';
import type { RegisterResult } from '../api/types.js';
import { describeError } from '../ui/describeError.js';
import { navigate } from '../ui/route.js';
import { BrandHeader, useSignInConfig } from './branding.js';

const OUTCOMES: Record<RegisterResult['status'], { title: string; text: string }> = {
  verification_sent: { title: 'Check your e-mail', text: 'We sent a link to confirm your address. Open it to activate your account, then sign in.' },
  pending_approval: { title: 'Waiting for approval', text: 'Your account has been requested. An administrator needs to approve it before you can sign in.' },
};

/** The issues the API reported for one field, as a sentence. */
function fieldIssue(details: unknown, field: string): string | undefined {
  const issues = (details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
  const found = issues.filter((i) => i.path === field).map((i) => i.message);
  return found.length ? found.join('; ') : undefined;
}

export function SignUpScreen() {
  const config = useSignInConfig();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ text: string; details?: unknown } | null>(null);
  const [outcome, setOutcome] = useState<RegisterResult['status'] | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = `Create an account · ${config.productName}`;
  }, [config.productName]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setOutcome((await register({ email, name, password })).status);
    } catch (e) {
      const err = asApiError(e);
      const text =
        err.code === 'email_domain_not_allowed'
          ? 'Sign-up is not open to this e-mail domain. Use your organisation’s address.'
          : err.code === 'registration_closed'
            ? 'Sign-up is closed. Ask an administrator for an account.'
            : `${describeError(err).title}. ${describeError(err).detail}`;
      setError({ text, details: err.details });
    } finally {
      setBusy(false);
    }
  }


  if (outcome) {
    return (
      <main className="auth">
        <section className="auth__card" aria-labelledby="signup-done">
          <BrandHeader id="signup-heading" heading={(n) => n} />
          <h2 id="signup-done">{OUTCOMES[outcome].title}</h2>
          <p role="status">{OUTCOMES[outcome].text}</p>
          <BackToSignIn />
        </section>
      </main>
    );
  }

  if (config.loaded && !config.registration.open) {
    return (
      <main className="auth">
        <section className="auth__card" aria-labelledby="signup-heading">
          <BrandHeader id="signup-heading" heading={(n) => `Create an account on ${n}`} />
          <p className="notice notice--info" role="status">
            Sign-up is closed. Ask an administrator for an account.
          </p>
          <BackToSignIn />
        </section>
      </main>
    );
  }

  const issue = (field: string) => fieldIssue(error?.details, field);
  return (
    <main className="auth">
      <form className="auth__card" onSubmit={submit} aria-labelledby="signup-heading">
        <BrandHeader id="signup-heading" heading={(n) => `Create an account on ${n}`} />
        {error && (
          <p className="notice notice--error" role="alert">
            {error.text}
          </p>
        )}
        <label>
          Name
          <input autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} autoFocus aria-invalid={Boolean(issue('name'))} />
          {issue('name') && <small className="field-error">{issue('name')}</small>}
        </label>
        <label>
          Work e-mail
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={Boolean(issue('email'))} />
          {issue('email') && <small className="field-error">{issue('email')}</small>}
        </label>
        <label>
          Password
          <input type="password" autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={Boolean(issue('password'))} />
          <small className="muted">At least 10 characters, with a letter and a digit or symbol.</small>
          {issue('password') && <small className="field-error">{issue('password')}</small>}
        </label>
        <button className="button button--primary" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
        <p className="auth__alt">
          Already have an account?{' '}
          <a href="/" onClick={toSignIn}>
            Sign in
          </a>
        </p>
      </form>
    </main>
  );
}

function toSignIn(e: React.MouseEvent) {
  e.preventDefault();
  navigate('/');
}

function BackToSignIn() {
  return (
    <p className="auth__alt">
      <a href="/" onClick={toSignIn}>
        Back to sign in
      </a>
    </p>
  );
}
