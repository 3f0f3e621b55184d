import { Alert, Box, Stack, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { useNotify } from 'react-admin';
import { apiFetch } from '../session';
import { FileDropzone } from './FileDropzone';
import { KnowledgeFileTable } from './KnowledgeFileTable';
import { RetrievalTester } from './RetrievalTester';
import type { KnowledgeFile, PendingUpload } from './types';
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

/** An assistant's knowledge: upload with per-file progress, live processing status, actions, test retrieval. */
export function KnowledgePanel({ assistantId }: { assistantId: string }) {
  const notify = useNotify();
  const [files, setFiles] = useState<Map<string, KnowledgeFile>>(new Map());
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const [liveError, setLiveError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    const body = (await apiFetch(`/assistants/${assistantId}/files`)) as { data: KnowledgeFile[] };
    // A full list also drops deleted files.
    setFiles((current) => merge(new Map([...current].filter(([id]) => body.data.some((f) => f.id === id))), body.data));
  }, [assistantId]);

  useEffect(() => {
    reload().catch((e: Error) => notify(e.message, { type: 'error' }));
  }, [reload, notify]);

  useFileProgress(
    assistantId,
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
      const answer = await uploadKnowledgeFile(assistantId, file, (loaded, total) => update({ loaded, total }));
      setFiles((current) => merge(current, answer.files));
      for (const r of answer.rejected) notify(`${r.name}: ${r.reason}`, { type: 'warning' });
      if (answer.files.some((f) => (f as { duplicate?: boolean }).duplicate)) notify(`${file.name} is already in this assistant's knowledge`, { type: 'info' });
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

  const sorted = [...files.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <Stack spacing={2} sx={{ p: 2 }}>
      {liveError && <Alert severity="warning">Live progress: {liveError}</Alert>}
      <FileDropzone onFiles={onFiles} />
      <KnowledgeFileTable
        assistantId={assistantId}
        files={sorted}
        uploads={uploads}
        onDismissUpload={(key) => setUploads((list) => list.filter((u) => u.key !== key))}
        onChanged={(file) => setFiles((current) => merge(current, [file]))}
        onDeleted={(id) => setFiles((current) => new Map([...current].filter(([k]) => k !== id)))}
      />
      <Box>
        <Typography variant="h6" gutterBottom>
          Test retrieval
        </Typography>
        <RetrievalTester assistantId={assistantId} />
      </Box>
    </Stack>
  );
}
