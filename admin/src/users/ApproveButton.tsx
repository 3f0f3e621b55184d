import { Button } from '@mui/material';
import { useState } from 'react';
import { useNotify, useRecordContext, useRefresh } from 'react-admin';
import { apiFetch } from '../session';

const WAITING_FOR = { approval: 'pending approval', email_verification: 'e-mail not confirmed' } as const;

/** A self-registered account that waits: what for, and (for admins) Approve, which lets it sign in. */
export function PendingCell() {
  const record = useRecordContext<{ id: string; email: string; pending: keyof typeof WAITING_FOR | null }>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [busy, setBusy] = useState(false);
  if (!record?.pending) return null;
  const approve = async (event: React.MouseEvent) => {
    event.stopPropagation();
    setBusy(true);
    try {
      await apiFetch(`/users/${record.id}/approve`, { method: 'POST' });
      notify(`${record.email} approved`);
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <span>
      {WAITING_FOR[record.pending]}{' '}
      <Button size="small" variant="contained" disabled={busy} onClick={(e) => void approve(e)} aria-label={`Approve ${record.email}`}>
        Approve
      </Button>
    </span>
  );
}
