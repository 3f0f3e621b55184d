import { Alert, Button } from '@mui/material';
import { useState } from 'react';
import { useNotify } from 'react-admin';
import { useApi } from '../common/useApi';
import { apiFetch } from '../session';

interface OutdatedFile {
  id: string;
  name: string;
  assistantName: string | null;
  knowledgeBaseName: string;
  indexedWith: { chunkSize: number | null; chunkOverlap: number | null };
  wouldUse: { chunkSize: number; chunkOverlap: number };
}

/**
 * Files chunked with other settings than they would get now: after a change
 * to the chunking defaults (or an assistant's override), says how many and
 * offers to re-index them. Remount it (a new `key`) to check again after a save.
 */
export function OutdatedChunking({ canEdit }: { canEdit: boolean }) {
  const { data, reload } = useApi<{ data: OutdatedFile[]; total: number }>(canEdit ? '/settings/rag.defaults/outdated-files' : null);
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  if (!data || data.total === 0) return null;
  const names = data.data.slice(0, 5).map((f) => `${f.name} (${f.assistantName ?? f.knowledgeBaseName})`);
  const reindex = async () => {
    setBusy(true);
    try {
      const { queued } = (await apiFetch('/settings/rag.defaults/outdated-files/reindex', { method: 'POST' })) as { queued: number };
      notify(`${queued} file${queued === 1 ? '' : 's'} queued for re-indexing`);
      reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Alert
      severity="warning"
      data-testid="outdated-chunking"
      action={
        <Button color="inherit" size="small" disabled={busy} onClick={reindex}>
          Re-index {data.total}
        </Button>
      }
    >
      {data.total} file{data.total === 1 ? ' was' : 's were'} indexed with other chunking than the current settings give: {names.join(', ')}
      {data.total > names.length ? ` and ${data.total - names.length} more` : ''}. They keep their old chunks until re-indexed; while
      re-indexing, a file is not searched.
    </Alert>
  );
}
