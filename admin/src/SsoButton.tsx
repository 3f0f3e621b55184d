import { Alert, Box, Button } from '@mui/material';
import { useEffect, useState } from 'react';
import { API_URL } from './session';

// Identity: "Sign in with <provider>" on the console's login page, and the
// sentence for a failed single sign-on (?sso_error=<code>, worded by the server).

interface SsoConfig {
  enabled: boolean;
  displayName: string;
  loginUrl: string;
  errors: Record<string, string>;
}

export function SsoButton() {
  const [config, setConfig] = useState<SsoConfig | null>(null);
  const errorCode = new URLSearchParams(window.location.search).get('sso_error');

  useEffect(() => {
    fetch(`${API_URL}/auth/oidc/config`, { credentials: 'same-origin' })
      .then((res) => (res.ok ? (res.json() as Promise<SsoConfig>) : null))
      .then(setConfig, () => setConfig(null));
  }, []);

  if (!config) return null;
  const message = errorCode ? (config.errors[errorCode] ?? config.errors.internal) : null;
  const returnTo = `/admin/${window.location.hash}`;
  return (
    <Box sx={{ px: 2, pb: 2, maxWidth: 320 }}>
      {message && (
        <Alert severity="error" sx={{ mb: 1 }} data-sso-error={errorCode ?? undefined}>
          {message}
        </Alert>
      )}
      {config.enabled && (
        <Button variant="outlined" fullWidth href={`${config.loginUrl}?returnTo=${encodeURIComponent(returnTo)}`}>
          Sign in with {config.displayName}
        </Button>
      )}
    </Box>
  );
}
