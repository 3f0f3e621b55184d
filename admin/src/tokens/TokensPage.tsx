import { Alert, Button, Card, CardContent, CardHeader, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { NumberInput, ReferenceArrayInput, SelectArrayInput, Title, maxValue, minValue, required, useNotify } from 'react-admin';
import { useApi } from '../common/useApi';
import { apiFetch } from '../session';
import { SettingCard, type Setting } from '../settings/SettingsPage';

// Everyone's personal access tokens (admins): owner, scopes, last use, revoke;
// and the switches that bound them (longest expiry, roles and groups without tokens).

interface OwnedToken {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  owner: { id: string; email: string; name: string };
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

export function TokensPage() {
  const notify = useNotify();
  const tokens = useApi<{ data: OwnedToken[] }>('/tokens');
  const settings = useApi<Setting>('/settings/tokens');

  async function revoke(token: OwnedToken) {
    if (!window.confirm(`Revoke “${token.name}” of ${token.owner.email}? It stops working at once.`)) return;
    try {
      await apiFetch(`/tokens/${token.id}`, { method: 'DELETE' });
      notify('Token revoked');
      tokens.reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  }

  return (
    <Stack spacing={2} sx={{ mt: 2 }}>
      <Title title="Access tokens" />
      {tokens.error && <Alert severity="error">{tokens.error.message}</Alert>}
      <Card>
        <CardHeader title="Personal access tokens" subheader="Tokens act as their owner, under the owner's permissions and quotas" />
        <CardContent>
          <Table size="small" data-testid="tokens-table">
            <TableHead>
              <TableRow>
                <TableCell>Owner</TableCell>
                <TableCell>Name</TableCell>
                <TableCell>Token</TableCell>
                <TableCell>Scopes</TableCell>
                <TableCell>Last used</TableCell>
                <TableCell>Expires</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {(tokens.data?.data ?? []).map((token) => (
                <TableRow key={token.id}>
                  <TableCell>{token.owner.email}</TableCell>
                  <TableCell>{token.name}</TableCell>
                  <TableCell>
                    <code>{token.prefix}…</code>
                  </TableCell>
                  <TableCell>
                    {token.scopes.map((scope) => (
                      <Chip key={scope} label={scope} size="small" sx={{ mr: 0.5 }} />
                    ))}
                  </TableCell>
                  <TableCell>{when(token.lastUsedAt)}</TableCell>
                  <TableCell>{when(token.expiresAt)}</TableCell>
                  <TableCell>
                    <Button color="error" size="small" onClick={() => void revoke(token)} aria-label={`Revoke ${token.name}`}>
                      Revoke
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
              {tokens.data?.data.length === 0 && (
                <TableRow>
                  <TableCell colSpan={7}>No active tokens.</TableCell>
                </TableRow>
              )}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      {settings.data && (
        <Stack sx={{ maxWidth: 720 }}>
          <SettingCard setting={settings.data} title="Token rules" canEdit onSaved={settings.reload}>
            <NumberInput source="maxExpiryDays" label="Longest expiry (days)" validate={[required(), minValue(1), maxValue(3650)]} />
            <SelectArrayInput
              source="disabledRoles"
              label="Roles without tokens (their tokens stop at once)"
              choices={[
                { id: 'admin', name: 'Admins' },
                { id: 'manager', name: 'Managers' },
                { id: 'user', name: 'Staff' },
              ]}
            />
            <ReferenceArrayInput source="disabledGroupIds" reference="groups" perPage={200}>
              <SelectArrayInput optionText="name" label="Groups without tokens" />
            </ReferenceArrayInput>
          </SettingCard>
        </Stack>
      )}
    </Stack>
  );
}
