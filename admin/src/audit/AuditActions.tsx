import VerifiedIcon from '@mui/icons-material/Verified';
import DownloadIcon from '@mui/icons-material/Download';
import { Alert, Button, Typography } from '@mui/material';
import { useState } from 'react';
import { FilterButton, TopToolbar, useListContext, useNotify } from 'react-admin';
import { ResultDialog } from '../common/ResultDialog';
import { apiFetch, downloadFile } from '../session';

interface Verification {
  ok: boolean;
  checked: number;
  lastId?: string;
  lastHash?: string;
  firstBrokenId?: string;
  brokenField?: 'prevHash' | 'hash';
  reason?: string;
}

/** Export with the list's current filters, and walk the hash chain. */
export function AuditActions() {
  const { filterValues } = useListContext();
  const notify = useNotify();
  const [result, setResult] = useState<Verification | null>(null);
  const [busy, setBusy] = useState(false);

  const exportAs = (format: 'csv' | 'ndjson') => {
    const query = new URLSearchParams({ format });
    for (const [k, v] of Object.entries(filterValues as Record<string, unknown>)) if (v !== '' && v != null) query.set(k, String(v));
    downloadFile(`/audit/export?${query}`, `audit.${format}`).catch((e: Error) => notify(e.message, { type: 'error' }));
  };
  const verify = async () => {
    setBusy(true);
    try {
      setResult((await apiFetch('/audit/verify')) as Verification);
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <TopToolbar>
      <FilterButton />
      <Button startIcon={<DownloadIcon />} onClick={() => exportAs('csv')}>
        Export CSV
      </Button>
      <Button startIcon={<DownloadIcon />} onClick={() => exportAs('ndjson')}>
        Export NDJSON
      </Button>
      <Button variant="contained" startIcon={<VerifiedIcon />} onClick={verify} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify chain'}
      </Button>
      <ResultDialog title="Audit chain verification" open={result !== null} onClose={() => setResult(null)}>
        {result?.ok ? (
          <Alert severity="success" data-testid="verify-result">
            Chain intact: {result.checked.toLocaleString()} entries verified.
          </Alert>
        ) : (
          <Alert severity="error" data-testid="verify-result">
            Chain broken at entry {result?.firstBrokenId} ({result?.brokenField}): {result?.reason}. {result?.checked.toLocaleString()} entries verified
            before it.
          </Alert>
        )}
        {result?.lastId && (
          <Typography variant="body2" sx={{ mt: 1, wordBreak: 'break-all' }}>
            Last verified entry #{result.lastId}, hash {result.lastHash}. Note it: a later walk from this checkpoint proves the log was not cut
            short.
          </Typography>
        )}
      </ResultDialog>
    </TopToolbar>
  );
}
