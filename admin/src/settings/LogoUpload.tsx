import { Box, Button, Card, CardContent, CardHeader, Stack, Typography } from '@mui/material';
import { useRef } from 'react';
import { useNotify } from 'react-admin';
import { apiResponse } from '../session';

/** The logo saves on its own (PUT multipart `logo`), which also sets branding.logoUrl. */
export function LogoUpload({ logoUrl, onSaved }: { logoUrl: string | null; onSaved: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const notify = useNotify();
  const upload = async (file: File) => {
    const form = new FormData();
    form.append('logo', file);
    const response = await apiResponse('/settings/branding/logo', { method: 'PUT', body: form });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
      notify(body.error?.message ?? 'Logo not saved', { type: 'error' });
      return;
    }
    notify('Logo saved');
    onSaved();
  };
  return (
    <Card data-testid="branding-logo">
      <CardHeader title="Logo" subheader="PNG, JPEG, WebP or GIF up to 5 MB; stored as WebP within 512×160" />
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
          {logoUrl ? <Box component="img" src={logoUrl} alt="Current logo" sx={{ maxHeight: 56, maxWidth: 200 }} /> : <Typography variant="body2">No logo</Typography>}
          <Button variant="outlined" onClick={() => input.current?.click()}>
            Upload
          </Button>
          <input ref={input} type="file" hidden accept="image/png,image/jpeg,image/webp,image/gif" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
        </Stack>
      </CardContent>
    </Card>
  );
}
