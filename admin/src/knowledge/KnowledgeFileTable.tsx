import DeleteIcon from '@mui/icons-material/Delete';
import DownloadIcon from '@mui/icons-material/Download';
import LabelIcon from '@mui/icons-material/LocalOffer';
import ReplayIcon from '@mui/icons-material/Replay';
import CloseIcon from '@mui/icons-material/Close';
import { Box, Chip, IconButton, LinearProgress, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from '@mui/material';
import { useState } from 'react';
import { useNotify } from 'react-admin';
import { formatBytes } from '../common/choices';
import { apiFetch, downloadFile } from '../session';
import { FileLabelsDialog } from './FileLabelsDialog';
import { filesPath, retryAction, type FileStatus, type FilesOwner, type KnowledgeFile, type PendingUpload } from './types';

const statusColor: Record<FileStatus, 'default' | 'info' | 'success' | 'error'> = {
  queued: 'default',
  extracting: 'info',
  chunking: 'info',
  embedding: 'info',
  ready: 'success',
  failed: 'error',
};

function Bar({ value, color }: { value: number; color: 'primary' | 'secondary' | 'success' | 'error' }) {
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, minWidth: 180 }}>
      <LinearProgress variant="determinate" value={value} color={color} sx={{ flex: 1, height: 8, borderRadius: 4 }} />
      <Typography variant="caption">{Math.round(value)}%</Typography>
    </Box>
  );
}

interface Props {
  owner: FilesOwner;
  files: KnowledgeFile[];
  uploads: PendingUpload[];
  onDismissUpload: (key: string) => void;
  onChanged: (file: KnowledgeFile) => void;
  onDeleted: (id: string) => void;
}

/** Uploads in flight first, then the stored files with their processing status. */
export function KnowledgeFileTable({ owner, files, uploads, onDismissUpload, onChanged, onDeleted }: Props) {
  const notify = useNotify();
  const act = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };
  const path = (f: KnowledgeFile) => `${filesPath(owner)}/${f.id}`;
  // Folders and tags belong to knowledge bases; an assistant's own file list has neither.
  const [labelling, setLabelling] = useState<KnowledgeFile | null>(null);

  return (
    <>
    {labelling && <FileLabelsDialog path={path(labelling)} file={labelling} onClose={() => setLabelling(null)} onSaved={onChanged} />}
    <Table size="small" data-testid="knowledge-files">
      <TableHead>
        <TableRow>
          <TableCell>File</TableCell>
          <TableCell>Size</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Progress</TableCell>
          <TableCell>Pages / chunks</TableCell>
          <TableCell align="right">Actions</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {uploads.map((u) => (
          <TableRow key={u.key} data-testid="upload-row">
            <TableCell>{u.name}</TableCell>
            <TableCell>{formatBytes(u.total)}</TableCell>
            <TableCell>
              <Chip size="small" label={u.error ? 'upload failed' : 'uploading'} color={u.error ? 'error' : 'primary'} />
              {u.error && (
                <Typography variant="caption" color="error" sx={{ display: 'block' }}>
                  {u.error}
                </Typography>
              )}
            </TableCell>
            <TableCell>
              <Bar value={u.total ? (100 * u.loaded) / u.total : 0} color={u.error ? 'error' : 'secondary'} />
            </TableCell>
            <TableCell />
            <TableCell align="right">
              {u.error && (
                <IconButton aria-label="Dismiss" onClick={() => onDismissUpload(u.key)}>
                  <CloseIcon />
                </IconButton>
              )}
            </TableCell>
          </TableRow>
        ))}
        {files.map((f) => (
          <TableRow key={f.id} data-testid="file-row" data-status={f.status} data-name={f.name}>
            <TableCell>
              {f.name}
              {(f.folder || f.tags.length > 0) && (
                <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                  {[f.folder && `in ${f.folder}`, ...f.tags.map((t) => `#${t}`)].filter(Boolean).join(' · ')}
                </Typography>
              )}
            </TableCell>
            <TableCell>{formatBytes(f.sizeBytes)}</TableCell>
            <TableCell>
              <Chip size="small" label={f.status} color={statusColor[f.status]} />
              {f.error && (
                <Typography variant="caption" color="error" sx={{ display: 'block', maxWidth: 320 }}>
                  {f.error}
                </Typography>
              )}
            </TableCell>
            <TableCell>
              <Bar value={f.status === 'ready' ? 100 : f.progress} color={f.status === 'failed' ? 'error' : f.status === 'ready' ? 'success' : 'primary'} />
            </TableCell>
            <TableCell>
              {f.pageCount ?? '–'} / {f.chunkCount}
            </TableCell>
            <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
              {(f.status === 'failed' || f.status === 'ready') && (
                <Tooltip title={f.status === 'failed' ? 'Retry' : 'Re-index'}>
                  <IconButton aria-label={`Retry ${f.name}`} onClick={() => act(async () => onChanged((await apiFetch(`${path(f)}/${retryAction(owner)}`, { method: 'POST' })) as KnowledgeFile))}>
                    <ReplayIcon />
                  </IconButton>
                </Tooltip>
              )}
              {owner.kind === 'knowledgeBase' && (
                <Tooltip title="Folder and tags">
                  <IconButton aria-label={`Folder and tags of ${f.name}`} onClick={() => setLabelling(f)}>
                    <LabelIcon />
                  </IconButton>
                </Tooltip>
              )}
              <Tooltip title="Download">
                <IconButton aria-label={`Download ${f.name}`} onClick={() => act(() => downloadFile(`${path(f)}/download`, f.name))}>
                  <DownloadIcon />
                </IconButton>
              </Tooltip>
              <Tooltip title="Delete">
                <IconButton
                  aria-label={`Delete ${f.name}`}
                  onClick={() =>
                    act(async () => {
                      if (!window.confirm(`Delete ${f.name} and its passages?`)) return;
                      await apiFetch(path(f), { method: 'DELETE' });
                      onDeleted(f.id);
                    })
                  }
                >
                  <DeleteIcon />
                </IconButton>
              </Tooltip>
            </TableCell>
          </TableRow>
        ))}
        {files.length === 0 && uploads.length === 0 && (
          <TableRow>
            <TableCell colSpan={6}>No knowledge files yet.</TableCell>
          </TableRow>
        )}
      </TableBody>
    </Table>
    </>
  );
}
