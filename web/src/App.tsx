import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { LoginScreen } from './auth/LoginScreen.js';
import { PasswordChangeScreen } from './auth/PasswordChangeScreen.js';
import { useSession } from './auth/useSession.js';
import { ChatApp } from './ChatApp.js';

export function App() {
  const auth = useSession();
  const client = useQueryClient();
  // Nothing of one user's data may outlive their session in this tab.
  useEffect(() => {
    if (auth.status === 'signed-out') client.clear();
  }, [auth.status, client]);
  if (auth.status === 'checking') {
    return (
      <main className="auth" aria-busy="true">
        <p className="muted" role="status">
          Loading Atrium…
        </p>
      </main>
    );
  }
  if (auth.status === 'signed-out') return <LoginScreen expired={auth.expired} />;
  if (auth.session.user.mustChangePassword) return <PasswordChangeScreen user={auth.session.user} />;
  return <ChatApp user={auth.session.user} />;
}
