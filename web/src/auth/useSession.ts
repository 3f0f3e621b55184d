import { useEffect, useState } from 'react';
import { session } from '../api/client.js';
import type { Session } from '../api/types.js';

export type AuthState = { status: 'checking' } | { status: 'signed-out'; expired: boolean } | { status: 'signed-in'; session: Session };

// Refresh a minute before the access token runs out, so a user who keeps the
// tab open never sees an expiry; a 401 refreshes too, as a fallback.
const REFRESH_MARGIN_S = 60;

export function useSession(): AuthState {
  const [state, setState] = useState<AuthState>(() => {
    const s = session.get();
    return s ? { status: 'signed-in', session: s } : { status: 'checking' };
  });

  useEffect(() => {
    const unsubscribe = session.subscribe((next, reason) => {
      setState(next ? { status: 'signed-in', session: next } : { status: 'signed-out', expired: reason === 'expired' });
    });
    if (session.get()) return unsubscribe;
    if (session.mayResume()) void session.refresh().then((s) => !s && setState({ status: 'signed-out', expired: false }));
    else setState({ status: 'signed-out', expired: false });
    return unsubscribe;
  }, []);

  const expiresIn = state.status === 'signed-in' ? state.session.expiresIn : null;
  const token = state.status === 'signed-in' ? state.session.accessToken : null;
  useEffect(() => {
    if (!expiresIn || !token) return;
    const timer = setTimeout(
      () => void session.refresh().then((s) => !s && session.set(null, 'expired')),
      Math.max(5, expiresIn - REFRESH_MARGIN_S) * 1000,
    );
    return () => clearTimeout(timer);
  }, [expiresIn, token]);

  return state;
}
