import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useBranding } from './auth/branding.js';
import { LoginScreen } from './auth/LoginScreen.js';
import { PasswordChangeScreen } from './auth/PasswordChangeScreen.js';
import { SignUpScreen } from './auth/SignUpScreen.js';
import { VerifyEmailScreen } from './auth/VerifyEmailScreen.js';
import { useSession } from './auth/useSession.js';
import { ChatApp } from './ChatApp.js';
import { usePath } from './ui/route.js';

export function App() {
  const auth = useSession();
  const client = useQueryClient();
  const brand = useBranding();
  const path = usePath();
  // Nothing of one user's data may outlive their session in this tab.
  useEffect(() => {
    if (auth.status === 'signed-out') client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'sign-in-config' });
  }, [auth.status, client]);
  useEffect(() => {
    if (auth.status !== 'signed-in') document.title = `Sign in · ${brand.productName}`;
  }, [auth.status, brand.productName]);
  // The mailed confirmation link works whether or not someone is signed in here.
  if (path === '/verify-email') return <VerifyEmailScreen />;
  if (auth.status === 'checking') {
    return (
      <main className="auth" aria-busy="true">
        <p className="muted" role="status">
          Loading {brand.productName}…
        </p>
      </main>
    );
  }
  if (auth.status === 'signed-out') return path === '/sign-up' ? <SignUpScreen /> : <LoginScreen expired={auth.expired} />;
  if (auth.session.user.mustChangePassword) return <PasswordChangeScreen user={auth.session.user} />;
  return <ChatApp user={auth.session.user} />;
}
