import { useEffect, useState } from 'react';

// Identity: "Sign in with <provider>" and the sentence for a failed single
// sign-on (the server redirects back with ?sso_error=<code>; the sentences come
// from the server, so a crafted link cannot put its own words here).

interface SsoConfig {
  enabled: boolean;
  displayName: string;
  loginUrl: string;
  errors: Record<string, string>;
}

const SIGNED_IN_KEY = 'atrium.signedIn';

export function SsoButton() {
  const [config, setConfig] = useState<SsoConfig | null>(null);
  const errorCode = new URLSearchParams(window.location.search).get('sso_error');

  useEffect(() => {
    fetch('/api/v1/auth/oidc/config', { credentials: 'same-origin' })
      .then((res) => (res.ok ? (res.json() as Promise<SsoConfig>) : null))
      .then(setConfig, () => setConfig(null));
  }, []);

  if (!config) return null;
  const message = errorCode ? (config.errors[errorCode] ?? config.errors.internal) : null;
  const returnTo = window.location.pathname.startsWith('/api/') ? '/' : window.location.pathname;
  return (
    <>
      {message && (
        <p className="notice notice--error" role="alert" data-sso-error={errorCode}>
          {message}
        </p>
      )}
      {config.enabled && (
        <a
          className="button button--ghost"
          href={`${config.loginUrl}?returnTo=${encodeURIComponent(returnTo)}`}
          // The session arrives as a cookie on the way back; this tells the app to look for it.
          onClick={() => localStorage.setItem(SIGNED_IN_KEY, '1')}
        >
          Sign in with {config.displayName}
        </a>
      )}
    </>
  );
}
