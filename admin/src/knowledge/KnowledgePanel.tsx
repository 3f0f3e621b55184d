import { Alert, Box, Stack, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { useNotify } from 'react-admin';
import { apiFetch } from '../session';
import { FileDropzone } from './FileDropzone';
import { KnowledgeFileTable } from './KnowledgeFileTable';
import { RetrievalTester } from './RetrievalTester';
import { filesPath, type FilesOwner, type KnowledgeFile, type PendingUpload } from './types';
import { uploadKnowledgeFile } from './uploadFile';
import { useFileProgress } from './useFileProgress';

/** Newer state wins: socket events and REST answers may arrive in either order. */
function merge(files: Map<string, KnowledgeFile>, incoming: KnowledgeFile[]): Map<string, KnowledgeFile> {
  const next = new Map(files);
  for (const f of incoming) {
    const known = next.get(f.id);
    if (!known || known.updatedAt <= f.updatedAt) next.set(f.id, f);
  }
  return next;
}

let uploadCounter = 0;

/**
 * Files of a knowledge base, or of an assistant's own base (its Knowledge tab):
 * upload with per-file progress, live processing status, actions; a base's
 * files also by folder and tag; test retrieval on an assistant.
 */
export function KnowledgePanel({ owner }: { owner: FilesOwner }) {
  const notify = useNotify();
  const [files, setFiles] = useState<Map<string, KnowledgeFile>>(new Map());
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const [liveError, setLiveError] = useState<string | null>(null);
  // Filters of the list, and where new uploads go (bases only).
  const [filter, setFilter] = useState({ folder: '', tag: '' });
  const [placement, setPlacement] = useState({ folder: '', tags: '' });
  const isBase = owner.kind === 'knowledgeBase';
  const shown = (f: KnowledgeFile) =>
    (!filter.tag || f.tags.includes(filter.tag)) && (!filter.folder || f.folder === filter.folder || f.folder.startsWith(`${filter.folder}/`));

  const reload = useCallback(async () => {
    const body = (await apiFetch(filesPath(owner))) as { data: KnowledgeFile[] };
    // A full list also drops deleted files.
    setFiles((current) => merge(new Map([...current].filter(([id]) => body.data.some((f) => f.id === id))), body.data));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [owner.kind, owner.id]);

  useEffect(() => {
    reload().catch((e: Error) => notify(e.message, { type: 'error' }));
  }, [reload, notify]);

  useFileProgress(
    owner,
    (file) => setFiles((current) => merge(current, [file])),
    () => {
      setLiveError(null);
      void reload();
    },
    setLiveError,
  );

  const upload = async (file: File) => {
    const key = `u${++uploadCounter}`;
    const update = (patch: Partial<PendingUpload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));
    setUploads((list) => [...list, { key, name: file.name, loaded: 0, total: file.size }]);
    try {
      const answer = await uploadKnowledgeFile(owner, file, (loaded, total) => update({ loaded, total }), isBase ? placement : {});
      setFiles((current) => merge(current, answer.files));
      for (const r of answer.rejected) notify(`${r.name}: ${r.reason}`, { type: 'warning' });
      if (answer.files.some((f) => (f as { duplicate?: boolean }).duplicate)) notify(`${file.name} is already in this knowledge`, { type: 'info' });
      setUploads((list) => list.filter((u) => u.key !== key));
    } catch (error) {
      update({ error: (error as Error).message });
    }
  };

  const onFiles = (picked: File[]) => {
    // A few at a time keeps each bar moving without starving the others.
    const queue = [...picked];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await upload(next);
    };
    void Promise.all([worker(), worker(), worker()]);
  };

  const sorted = [...files.values()].filter(shown).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <Stack spacing={2} sx={{ p: 2 }}>
      {liveError && <Alert severity="warning">Live progress: {liveError}</Alert>}
      {isBase && (
        <Stack direction="row" spacing={2}>
          <TextField size="small" label="Upload into folder" value={placement.folder} onChange={(e) => setPlacement({ ...placement, folder: e.target.value })} />
          <TextField size="small" label="Tags for uploads (comma-separated)" value={placement.tags} onChange={(e) => setPlacement({ ...placement, tags: e.target.value })} />
        </Stack>
      )}
      <FileDropzone onFiles={onFiles} />
      {isBase && (
        <Stack direction="row" spacing={2}>
          <TextField size="small" label="Filter by folder" value={filter.folder} onChange={(e) => setFilter({ ...filter, folder: e.target.value.trim() })} />
          <TextField size="small" label="Filter by tag" value={filter.tag} onChange={(e) => setFilter({ ...filter, tag: e.target.value.trim() })} />
        </Stack>
      )}
      <KnowledgeFileTable
        owner={owner}
        files={sorted}
        uploads={uploads}
        onDismissUpload={(key) => setUploads((list) => list.filter((u) => u.key !== key))}
        onChanged={(file) => setFiles((current) => merge(current, [file]))}
        onDeleted={(id) => setFiles((current) => new Map([...current].filter(([k]) => k !== id)))}
      />
      {owner.kind === 'assistant' && (
        <Box>
          <Typography variant="h6" gutterBottom>
            Test retrieval
          </Typography>
          <RetrievalTester assistantId={owner.id} />
        </Box>
      )}
    </Stack>
  );
}
