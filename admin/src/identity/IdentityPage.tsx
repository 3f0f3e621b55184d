import { Alert, Button, Card, CardContent, CardHeader, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { ArrayInput, BooleanInput, Form, PasswordInput, SaveButton, SelectInput, SimpleFormIterator, TextInput, Title, required, useNotify } from 'react-admin';
import { useApi } from '../common/useApi';
import { apiFetch, fieldErrors } from '../session';

// Identity: single sign-on (OpenID Connect) and SCIM provisioning tokens.

interface SsoSettings {
  enabled: boolean;
  issuerUrl: string;
  clientId: string;
  clientSecretSet: boolean;
  secretHint: string | null;
  displayName: string;
  scopes: string;
  accountPolicy: 'anyone' | 'domains' | 'existing';
  allowedDomains: string[];
  trustUnverifiedEmail: boolean;
  groupsClaim: string;
  groupsByName: boolean;
  groupMapping: { claim: string; group: string }[];
  roleMapping: { claim: string; role: string }[];
  passwordLogin: 'everyone' | 'breakGlassOnly';
  breakGlassEmails: string[];
  saved: boolean;
  redirectUri: string;
}

interface ScimToken {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const list = (value: unknown) =>
  String(value ?? '')
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter(Boolean);

function SsoCard() {
  const notify = useNotify();
  const { data, error, reload } = useApi<SsoSettings>('/identity/sso');
  const [test, setTest] = useState<{ ok: boolean; problem?: string; issuer?: string; endSession?: boolean } | null>(null);
  if (error) return <Alert severity="error">{error.message}</Alert>;
  if (!data) return null;
  const record = { ...data, clientSecret: '', allowedDomains: data.allowedDomains.join(', '), breakGlassEmails: data.breakGlassEmails.join(', ') };

  const submit = async (values: Record<string, unknown>) => {
    const { clientSecretSet: _set, secretHint: _hint, saved: _saved, redirectUri: _uri, clientSecret, ...rest } = values;
    const body = {
      ...rest,
      allowedDomains: list(values.allowedDomains),
      breakGlassEmails: list(values.breakGlassEmails),
      groupMapping: (values.groupMapping as unknown[] | undefined) ?? [],
      roleMapping: (values.roleMapping as unknown[] | undefined) ?? [],
      // Write-only: left empty, the stored secret stays.
      ...(clientSecret ? { clientSecret } : {}),
    };
    try {
      await apiFetch('/identity/sso', { method: 'PUT', body: JSON.stringify(body) });
      notify('Single sign-on saved');
      reload();
      return undefined;
    } catch (e) {
      const errors = fieldErrors(e);
      if (!errors) notify((e as Error).message, { type: 'error' });
      return errors;
    }
  };

  const runTest = async () => setTest((await apiFetch('/identity/sso/test', { method: 'POST' })) as typeof test);

  return (
    <Card data-testid="sso-settings">
      <CardHeader title="Single sign-on (OpenID Connect)" subheader={data.saved ? 'Saved in the console' : 'From the environment (OIDC_*)'} />
      <CardContent>
        <Typography variant="body2" sx={{ mb: 2 }}>
          Register this redirect URI at your provider: <code data-testid="redirect-uri">{data.redirectUri}</code>
        </Typography>
        <Form record={record} onSubmit={submit}>
          <Stack>
            <BooleanInput source="enabled" label="Offer single sign-on" />
            <TextInput source="issuerUrl" label="Issuer URL" helperText="e.g. https://login.microsoftonline.com/<tenant>/v2.0" />
            <TextInput source="clientId" label="Client ID" />
            <PasswordInput source="clientSecret" label="Client secret" helperText={data.clientSecretSet ? `Stored (${data.secretHint ?? 'hidden'}); leave empty to keep it` : 'Not set'} />
            <TextInput source="displayName" label="Button text: Sign in with …" validate={required()} />
            <TextInput source="scopes" label="Scopes" validate={required()} />
            <SelectInput source="accountPolicy" label="Who gets an account at first sign-in" choices={[{ id: 'anyone', name: 'Anyone the provider signs in' }, { id: 'domains', name: 'Only the listed email domains' }, { id: 'existing', name: 'Only existing users' }]} validate={required()} />
            <TextInput source="allowedDomains" label="Allowed email domains (comma-separated)" />
            <BooleanInput source="trustUnverifiedEmail" label="Link local accounts even without email_verified (Entra ID)" />
            <TextInput source="groupsClaim" label="Groups claim" validate={required()} />
            <BooleanInput source="groupsByName" label="Join Atrium groups whose name matches a provider group" />
            <ArrayInput source="groupMapping" label="Provider group → Atrium group">
              <SimpleFormIterator inline>
                <TextInput source="claim" label="Provider group" validate={required()} />
                <TextInput source="group" label="Atrium group" validate={required()} />
              </SimpleFormIterator>
            </ArrayInput>
            <ArrayInput source="roleMapping" label="Provider group → role (empty: sign-in never changes roles)">
              <SimpleFormIterator inline>
                <TextInput source="claim" label="Provider group" validate={required()} />
                <SelectInput source="role" choices={[{ id: 'admin', name: 'admin' }, { id: 'manager', name: 'manager' }, { id: 'user', name: 'user' }]} validate={required()} />
              </SimpleFormIterator>
            </ArrayInput>
            <SelectInput source="passwordLogin" label="Password sign-in" choices={[{ id: 'everyone', name: 'Allowed for everyone' }, { id: 'breakGlassOnly', name: 'Only break-glass admins' }]} validate={required()} />
            <TextInput source="breakGlassEmails" label="Break-glass admin emails (comma-separated)" />
          </Stack>
          <Stack direction="row" spacing={2} sx={{ mt: 1 }}>
            <SaveButton alwaysEnable />
            <Button variant="outlined" onClick={() => void runTest()}>
              Test discovery
            </Button>
          </Stack>
        </Form>
        {test && (
          <Alert severity={test.ok ? 'success' : 'error'} sx={{ mt: 2 }} data-testid="sso-test">
            {test.ok ? `Discovery works: issuer ${test.issuer}${test.endSession ? ', provider sign-out supported' : ''}.` : test.problem}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}

function ScimCard() {
  const notify = useNotify();
  const { data, reload } = useApi<{ data: ScimToken[] }>('/identity/scim-tokens');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const act = async (path: string, method: string, body?: unknown) => {
    try {
      const result = (await apiFetch(path, { method, body: body ? JSON.stringify(body) : undefined })) as { token?: string } | undefined;
      setSecret(result?.token ?? null);
      reload();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  return (
    <Card data-testid="scim-tokens">
      <CardHeader title="SCIM provisioning" subheader={`Tenant URL: ${window.location.origin}/api/scim/v2`} />
      <CardContent>
        {secret && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            Copy this token now; it is not shown again: <code data-testid="scim-secret">{secret}</code>
          </Alert>
        )}
        <Stack direction="row" spacing={2} sx={{ mb: 2 }}>
          <TextField size="small" label="Token name (e.g. Entra ID)" value={name} onChange={(e) => setName(e.target.value)} />
          <Button variant="contained" disabled={!name.trim()} onClick={() => void act('/identity/scim-tokens', 'POST', { name: name.trim() }).then(() => setName(''))}>
            Generate token
          </Button>
        </Stack>
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Token</TableCell>
              <TableCell>Last used</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {(data?.data ?? []).map((t) => (
              <TableRow key={t.id}>
                <TableCell>{t.name}</TableCell>
                <TableCell>{t.revokedAt ? 'revoked' : t.hint}</TableCell>
                <TableCell>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</TableCell>
                <TableCell align="right">
                  {!t.revokedAt && (
                    <>
                      <Button size="small" onClick={() => void act(`/identity/scim-tokens/${t.id}/rotate`, 'POST')}>
                        Rotate
                      </Button>
                      <Button size="small" color="error" onClick={() => void act(`/identity/scim-tokens/${t.id}`, 'DELETE')}>
                        Revoke
                      </Button>
                    </>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}

/** Sign-in with the company's identity provider, and provisioning from it. */
export function IdentityPage() {
  return (
    <Stack spacing={2} sx={{ mt: 2, maxWidth: 900 }}>
      <Title title="Identity" />
      <SsoCard />
      <ScimCard />
    </Stack>
  );
}
