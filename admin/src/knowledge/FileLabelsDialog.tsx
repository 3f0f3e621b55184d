import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack, TextField } from '@mui/material';
import { useState } from 'react';
import { apiFetch } from '../session';
import type { KnowledgeFile } from './types';

/** Comma- or space-separated words, as the upload form takes them. */
const tagsFrom = (text: string) => [...new Set(text.split(/[\s,]+/).map((t) => t.trim()).filter(Boolean))];

/**
 * Moves a file of a knowledge base to another folder or replaces its tags
 * (PATCH /knowledge-bases/:id/files/:fileId). Nothing is re-indexed: tags and
 * folders only decide which assistants search the file.
 */
export function FileLabelsDialog({ path, file, onClose, onSaved }: { path: string; file: KnowledgeFile; onClose: () => void; onSaved: (file: KnowledgeFile) => void }) {
  const [folder, setFolder] = useState(file.folder);
  const [tags, setTags] = useState(file.tags.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      onSaved((await apiFetch(path, { method: 'PATCH', body: JSON.stringify({ folder: folder.trim(), tags: tagsFrom(tags) }) })) as KnowledgeFile);
      onClose();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="file-labels-title">
      <DialogTitle id="file-labels-title">Folder and tags of {file.name}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1, minWidth: 360 }}>
          <TextField size="small" label="Folder" value={folder} onChange={(e) => setFolder(e.target.value)} helperText="e.g. policies/leave; empty: the base's top level" />
          <TextField size="small" label="Tags" value={tags} onChange={(e) => setTags(e.target.value)} helperText="Comma-separated" error={error !== null} />
          {error && <span role="alert">{error}</span>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={save} disabled={saving}>
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
