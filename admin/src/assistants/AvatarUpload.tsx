import { Avatar, Button, Stack, Typography } from '@mui/material';
import { useRef } from 'react';
import { useNotify, useRecordContext, useRefresh } from 'react-admin';
import { apiResponse } from '../session';

/** The avatar saves on its own (PUT multipart `avatar`), apart from the form. */
export function AvatarUpload() {
  const record = useRecordContext<{ id: string; name: string; avatarUrl: string | null }>();
  const input = useRef<HTMLInputElement>(null);
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record) return null;

  const send = async (init: RequestInit) => {
    const response = await apiResponse(`/assistants/${record.id}/avatar`, init);
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
      notify(body.error?.message ?? 'Avatar not saved', { type: 'error' });
      return;
    }
    refresh();
  };
  const upload = (file: File) => {
    const form = new FormData();
    form.append('avatar', file);
    void send({ method: 'PUT', body: form });
  };

  return (
    <Stack direction="row" spacing={2} sx={{ p: 2, alignItems: 'center' }}>
      <Avatar src={record.avatarUrl ?? undefined} sx={{ width: 56, height: 56 }}>
        {record.name[0]}
      </Avatar>
      <Typography variant="body2">Avatar (PNG, JPEG or WebP)</Typography>
      <Button variant="outlined" onClick={() => input.current?.click()}>
        Upload
      </Button>
      {record.avatarUrl && <Button onClick={() => void send({ method: 'DELETE' })}>Remove</Button>}
      <input ref={input} type="file" hidden accept="image/png,image/jpeg,image/webp" onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])} />
    </Stack>
  );
}
