import DeleteIcon from '@mui/icons-material/Delete';
import ListIcon from '@mui/icons-material/List';
import SyncIcon from '@mui/icons-material/Sync';
import {
  Alert,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  IconButton,
  MenuItem,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import { Fragment, useCallback, useEffect, useState } from 'react';
import { useNotify } from 'react-admin';
import { apiFetch } from '../session';

// A knowledge base's web sources (docs/web-sources.md): add a page or a site,
// see each source's last sync, sync now, delete. Status is polled while a sync
// is queued or running, and slowly otherwise so scheduled syncs show up too.

type SourceStatus = 'queued' | 'syncing' | 'done' | 'failed';

interface WebSource {
  id: string;
  url: string;
  mode: 'page' | 'site';
  maxDepth: number;
  maxPages: number;
  scheduleMinutes: number;
  status: SourceStatus;
  lastSyncFinishedAt: string | null;
  lastSync: { added: number; changed: number; removed: number; unchanged: number; errors: number };
  lastError: string | null;
  pageCount: number;
}

interface WebPage {
  id: string;
  url: string;
  title: string | null;
  depth: number;
  lastError: string | null;
  file: { status: string; chunkCount: number } | null;
}

const schedules = [
  { minutes: 0, label: 'Off (sync on demand)' },
  { minutes: 60, label: 'Hourly' },
  { minutes: 1440, label: 'Daily' },
  { minutes: 10080, label: 'Weekly' },
];
const scheduleLabel = (minutes: number) => schedules.find((s) => s.minutes === minutes)?.label.replace(' (sync on demand)', '') ?? `Every ${minutes} min`;

const statusColor: Record<SourceStatus, 'default' | 'info' | 'success' | 'error'> = { queued: 'default', syncing: 'info', done: 'success', failed: 'error' };

const emptyForm = { url: '', mode: 'page' as 'page' | 'site', maxDepth: '3', maxPages: '200', scheduleMinutes: 1440 };

export function WebSourcesPanel({ knowledgeBaseId }: { knowledgeBaseId: string }) {
  const notify = useNotify();
  const base = `/knowledge-bases/${knowledgeBaseId}/web-sources`;
  const [sources, setSources] = useState<WebSource[] | null>(null);
  const [form, setForm] = useState(emptyForm);
  const [adding, setAdding] = useState(false);
  const [pagesOf, setPagesOf] = useState<{ id: string; pages: WebPage[] } | null>(null);
  const [deleting, setDeleting] = useState<WebSource | null>(null);

  const [openPages, setOpenPages] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const body = (await apiFetch(base)) as { data: WebSource[] };
    setSources(body.data);
    // The open page list follows along (its files are being indexed).
    if (openPages && body.data.some((s) => s.id === openPages)) {
      const pages = (await apiFetch(`${base}/${openPages}/pages`)) as { data: WebPage[] };
      setPagesOf({ id: openPages, pages: pages.data });
    }
  }, [base, openPages]);

  useEffect(() => {
    reload().catch((e: Error) => notify(e.message, { type: 'error' }));
  }, [reload, notify]);

  const busy =
    (sources?.some((s) => s.status === 'queued' || s.status === 'syncing') ?? false) ||
    (pagesOf?.pages.some((p) => p.file && p.file.status !== 'ready' && p.file.status !== 'failed') ?? false);
  useEffect(() => {
    const timer = setInterval(() => void reload().catch(() => undefined), busy ? 1500 : 15_000);
    return () => clearInterval(timer);
  }, [busy, reload]);

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      await reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };

  const add = () =>
    act(async () => {
      setAdding(true);
      try {
        await apiFetch(base, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            url: form.url.trim(),
            mode: form.mode,
            scheduleMinutes: form.scheduleMinutes,
            ...(form.mode === 'site' ? { maxDepth: Number(form.maxDepth), maxPages: Number(form.maxPages) } : {}),
          }),
        });
        setForm(emptyForm);
      } finally {
        setAdding(false);
      }
    });

  const showPages = (source: WebSource) =>
    act(async () => {
      if (pagesOf?.id === source.id) {
        setOpenPages(null);
        return setPagesOf(null);
      }
      const body = (await apiFetch(`${base}/${source.id}/pages`)) as { data: WebPage[] };
      setOpenPages(source.id);
      setPagesOf({ id: source.id, pages: body.data });
    });

  return (
    <Stack spacing={2} sx={{ p: 2 }}>
      <Typography variant="body2" sx={{ color: 'text.secondary' }}>
        Pages are indexed as files of this base and kept in step with the site: changed pages are indexed again, pages gone upstream are removed.
      </Typography>
      <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField fullWidth={false} size="small" label="Web address" placeholder="https://intranet.example.com/handbook" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} sx={{ minWidth: 360 }} />
        <TextField fullWidth={false} select size="small" label="Mode" value={form.mode} onChange={(e) => setForm({ ...form, mode: e.target.value as 'page' | 'site' })} sx={{ minWidth: 150 }}>
          <MenuItem value="page">This page</MenuItem>
          <MenuItem value="site">Site crawl</MenuItem>
        </TextField>
        {form.mode === 'site' && (
          <>
            <TextField fullWidth={false} size="small" type="number" label="Depth" value={form.maxDepth} onChange={(e) => setForm({ ...form, maxDepth: e.target.value })} sx={{ width: 90 }} />
            <TextField fullWidth={false} size="small" type="number" label="Page limit" value={form.maxPages} onChange={(e) => setForm({ ...form, maxPages: e.target.value })} sx={{ width: 120 }} />
          </>
        )}
        <TextField fullWidth={false} select size="small" label="Schedule" value={form.scheduleMinutes} onChange={(e) => setForm({ ...form, scheduleMinutes: Number(e.target.value) })} sx={{ minWidth: 200 }}>
          {schedules.map((s) => (
            <MenuItem key={s.minutes} value={s.minutes}>
              {s.label}
            </MenuItem>
          ))}
        </TextField>
        <Button variant="contained" onClick={() => void add()} disabled={adding || !form.url.trim()}>
          Add web source
        </Button>
      </Stack>

      {sources && sources.length === 0 && <Alert severity="info">No web sources yet.</Alert>}
      {sources && sources.length > 0 && (
        <Table size="small" data-testid="web-sources">
          <TableHead>
            <TableRow>
              <TableCell>Source</TableCell>
              <TableCell>Schedule</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Last sync</TableCell>
              <TableCell>Pages</TableCell>
              <TableCell>Added / changed / removed</TableCell>
              <TableCell>Errors</TableCell>
              <TableCell align="right">Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {sources.map((s) => (
              <Fragment key={s.id}>
                <TableRow data-testid="web-source-row" data-url={s.url} data-status={s.status}>
                  <TableCell sx={{ maxWidth: 360, wordBreak: 'break-all' }}>
                    {s.url}
                    <Typography variant="caption" sx={{ display: 'block', color: 'text.secondary' }}>
                      {s.mode === 'site' ? `Site, depth ${s.maxDepth}, up to ${s.maxPages} pages` : 'One page'}
                    </Typography>
                  </TableCell>
                  <TableCell>{scheduleLabel(s.scheduleMinutes)}</TableCell>
                  <TableCell>
                    <Chip size="small" label={s.status} color={statusColor[s.status]} />
                  </TableCell>
                  <TableCell>{s.lastSyncFinishedAt ? new Date(s.lastSyncFinishedAt).toLocaleString() : 'never'}</TableCell>
                  <TableCell data-testid="web-source-pages">{s.pageCount}</TableCell>
                  <TableCell data-testid="web-source-counts">
                    {s.lastSync.added} / {s.lastSync.changed} / {s.lastSync.removed}
                    <Typography variant="caption" sx={{ display: 'block', color: 'text.secondary' }}>
                      {s.lastSync.unchanged} unchanged
                    </Typography>
                  </TableCell>
                  <TableCell sx={{ maxWidth: 280 }}>
                    {s.lastSync.errors > 0 || s.lastError ? (
                      <Typography variant="caption" sx={{ color: 'error.main', wordBreak: 'break-word' }}>
                        {s.lastError ?? `${s.lastSync.errors} failed`}
                      </Typography>
                    ) : (
                      '—'
                    )}
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                    <Tooltip title="Pages">
                      <IconButton aria-label="Pages" onClick={() => void showPages(s)}>
                        <ListIcon />
                      </IconButton>
                    </Tooltip>
                    <Tooltip title="Sync now">
                      <span>
                        <IconButton aria-label="Sync now" disabled={s.status === 'queued' || s.status === 'syncing'} onClick={() => void act(() => apiFetch(`${base}/${s.id}/sync`, { method: 'POST' }))}>
                          <SyncIcon />
                        </IconButton>
                      </span>
                    </Tooltip>
                    <Tooltip title="Delete">
                      <IconButton aria-label="Delete web source" onClick={() => setDeleting(s)}>
                        <DeleteIcon />
                      </IconButton>
                    </Tooltip>
                  </TableCell>
                </TableRow>
                {pagesOf?.id === s.id && (
                  <TableRow>
                    <TableCell colSpan={8}>
                      {pagesOf.pages.length === 0 ? (
                        <Typography variant="body2">No pages indexed.</Typography>
                      ) : (
                        <Table size="small" data-testid="web-source-page-list">
                          <TableBody>
                            {pagesOf.pages.map((p) => (
                              <TableRow key={p.id}>
                                <TableCell sx={{ wordBreak: 'break-all' }}>
                                  {p.title ?? p.url}
                                  <Typography variant="caption" sx={{ display: 'block', color: 'text.secondary' }}>
                                    {p.url} · depth {p.depth}
                                  </Typography>
                                </TableCell>
                                <TableCell>{p.file ? `${p.file.status}, ${p.file.chunkCount} chunks` : 'not indexed'}</TableCell>
                                <TableCell>{p.lastError ? <Typography variant="caption" sx={{ color: 'error.main' }}>{p.lastError}</Typography> : null}</TableCell>
                              </TableRow>
                            ))}
                          </TableBody>
                        </Table>
                      )}
                    </TableCell>
                  </TableRow>
                )}
              </Fragment>
            ))}
          </TableBody>
        </Table>
      )}

      <Dialog open={deleting !== null} onClose={() => setDeleting(null)}>
        <DialogTitle>Delete this web source?</DialogTitle>
        <DialogContent>Its {deleting?.pageCount ?? 0} pages are removed from the base with their files.</DialogContent>
        <DialogActions>
          <Button onClick={() => setDeleting(null)}>Cancel</Button>
          <Button
            color="error"
            onClick={() => {
              const target = deleting;
              setDeleting(null);
              if (target) void act(() => apiFetch(`${base}/${target.id}`, { method: 'DELETE' }));
            }}
          >
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </Stack>
  );
}
