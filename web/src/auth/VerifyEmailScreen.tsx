import { useEffect, useRef, useState } from 'react';
import { verifyEmail } from '../api/endpoints.js';
import { asApiError } from '../api/errors.js';
import { navigate } from '../ui/route.js';
import { BrandHeader } from './branding.js';

type State = { status: 'working' } | { status: 'verified' } | { status: 'failed'; text: string };

/** Where the mailed link lands (/verify-email?token=…): confirms the address once, then offers sign-in. */
export function VerifyEmailScreen() {
  const [state, setState] = useState<State>({ status: 'working' });
  const sent = useRef(false);
  useEffect(() => {
    // A token works once: StrictMode's second effect run must not spend it again.
    if (sent.current) return;
    sent.current = true;
    const token = new URLSearchParams(location.search).get('token') ?? '';
    verifyEmail(token).then(
      () => setState({ status: 'verified' }),
      (e: unknown) => {
        const err = asApiError(e);
        setState({
          status: 'failed',
          text: err.code === 'verification_invalid' || err.code === 'validation_failed' ? 'This link is invalid, expired or already used. Try signing in, or sign up again.' : err.message,
        });
      },
    );
  }, []);

  return (
    <main className="auth">
      <section className="auth__card" aria-labelledby="verify-heading" aria-busy={state.status === 'working'}>
        <BrandHeader id="verify-heading" heading={() => 'Confirm your e-mail'} />
        {state.status === 'working' && <p role="status">Confirming your address…</p>}
        {state.status === 'verified' && (
          <p className="notice notice--info" role="status">
            Your address is confirmed and your account is active. You can sign in now.
          </p>
        )}
        {state.status === 'failed' && (
          <p className="notice notice--error" role="alert">
            {state.text}
          </p>
        )}
        <button type="button" className="button button--primary" disabled={state.status === 'working'} onClick={() => navigate('/', true)}>
          Go to sign in
        </button>
      </section>
    </main>
  );
}
