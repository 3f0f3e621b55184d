import { Button, Chip, Stack, Switch, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useNotify, useRecordContext, useRefresh } from 'react-admin';
import { ResultDialog } from '../common/ResultDialog';
import { apiFetch } from '../session';

interface ApiKey {
  id: string;
  label: string;
  hint: string;
  enabled: boolean;
  lastUsedAt: string | null;
  rotatedAt: string | null;
  createdAt: string;
}

interface ProviderRecord {
  id: string;
  keys: ApiKey[];
}

interface ConnectionCheck {
  ok: boolean;
  latencyMs: number;
  models?: string[];
  error?: string;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '–');

/** A secret field that is never filled from the server: keys are write-only, shown afterwards only by their hint. */
function SecretField({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  return <TextField size="small" type="password" autoComplete="off" label={label} value={value} onChange={(e) => onChange(e.target.value)} sx={{ minWidth: 320 }} />;
}

/** API keys of a provider (add, rotate, enable/disable, delete) and the connection test. */
export function ApiKeysPanel() {
  const provider = useRecordContext<ProviderRecord>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [label, setLabel] = useState('');
  const [secret, setSecret] = useState('');
  const [rotating, setRotating] = useState<ApiKey | null>(null);
  const [newSecret, setNewSecret] = useState('');
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  // Kept apart from the result so the dialog does not change its text while it fades out.
  const [checkOpen, setCheckOpen] = useState(false);
  if (!provider) return null;
  const keysPath = `/providers/${provider.id}/keys`;
  const test = async (keyId?: string) => {
    setCheck((await apiFetch(`/providers/${provider.id}/test`, { method: 'POST', body: JSON.stringify(keyId ? { keyId } : {}) })) as ConnectionCheck);
    setCheckOpen(true);
  };

  const run = async (work: () => Promise<unknown>, done?: string) => {
    try {
      await work();
      if (done) notify(done);
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };

  return (
    <Stack spacing={2} sx={{ width: '100%' }}>
      <Typography variant="h6">API keys</Typography>
      <Table size="small" data-testid="api-keys">
        <TableHead>
          <TableRow>
            <TableCell>Label</TableCell>
            <TableCell>Key</TableCell>
            <TableCell>Enabled</TableCell>
            <TableCell>Last used</TableCell>
            <TableCell>Rotated</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {provider.keys.map((k) => (
            <TableRow key={k.id}>
              <TableCell>{k.label}</TableCell>
              <TableCell>
                <Chip size="small" label={k.hint} sx={{ fontFamily: 'monospace' }} />
              </TableCell>
              <TableCell>
                <Switch
                  checked={k.enabled}
                  slotProps={{ input: { 'aria-label': `${k.enabled ? 'Disable' : 'Enable'} ${k.label}` } }}
                  onChange={(e) => run(() => apiFetch(`${keysPath}/${k.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: e.target.checked }) }))}
                />
              </TableCell>
              <TableCell>{when(k.lastUsedAt)}</TableCell>
              <TableCell>{when(k.rotatedAt)}</TableCell>
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                <Button onClick={() => setRotating(k)}>Rotate</Button>
                <Button onClick={() => run(() => test(k.id))}>
                  Test
                </Button>
                <Button color="error" onClick={() => window.confirm(`Delete key ${k.label}?`) && run(() => apiFetch(`${keysPath}/${k.id}`, { method: 'DELETE' }), 'Key deleted')}>
                  Delete
                </Button>
              </TableCell>
            </TableRow>
          ))}
          {provider.keys.length === 0 && (
            <TableRow>
              <TableCell colSpan={6}>No key yet.</TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <TextField size="small" label="Label" value={label} onChange={(e) => setLabel(e.target.value)} />
        <SecretField label="API key (write-only)" value={secret} onChange={setSecret} />
        <Button
          variant="outlined"
          sx={{ whiteSpace: 'nowrap', flexShrink: 0 }}
          disabled={!secret.trim()}
          onClick={() =>
            run(async () => {
              await apiFetch(keysPath, { method: 'POST', body: JSON.stringify({ apiKey: secret, ...(label.trim() ? { label } : {}) }) });
              setSecret('');
              setLabel('');
            }, 'Key added; only its hint is kept visible')
          }
        >
          Add key
        </Button>
        <Button variant="contained" sx={{ whiteSpace: 'nowrap', flexShrink: 0 }} onClick={() => run(() => test())}>
          Test connection
        </Button>
      </Stack>

      <ResultDialog title={rotating ? `Rotate ${rotating.label}` : ''} open={rotating !== null} onClose={() => setRotating(null)}>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <Typography>The old secret stops working as soon as the new one is saved.</Typography>
          <SecretField label="New API key" value={newSecret} onChange={setNewSecret} />
          <Button
            variant="contained"
            disabled={!newSecret.trim()}
            onClick={() =>
              run(async () => {
                await apiFetch(`${keysPath}/${rotating!.id}/rotate`, { method: 'POST', body: JSON.stringify({ apiKey: newSecret }) });
                setNewSecret('');
                setRotating(null);
              }, 'Key rotated')
            }
          >
            Rotate
          </Button>
        </Stack>
      </ResultDialog>
      <ResultDialog title="Connection test" open={checkOpen} onClose={() => setCheckOpen(false)}>
        <Typography data-testid="connection-result" color={check?.ok ? 'success.main' : 'error'}>
          {check?.ok ? `Connected in ${check.latencyMs} ms` : `Failed: ${check?.error ?? 'unknown error'}`}
        </Typography>
        {check?.models && <Typography variant="body2">Models offered: {check.models.slice(0, 20).join(', ')}</Typography>}
      </ResultDialog>
    </Stack>
  );
}
