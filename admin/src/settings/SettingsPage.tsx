import { Alert, Card, CardContent, CardHeader, Stack } from '@mui/material';
import type { ReactNode } from 'react';
import { Form, NumberInput, SaveButton, SelectInput, TextInput, Title, maxValue, minValue, required, useNotify } from 'react-admin';
import { useApi } from '../common/useApi';
import { apiFetch, fieldErrors, getAbilities } from '../session';

export interface Setting {
  key: 'rag.defaults' | 'registration' | 'branding' | 'tokens';
  value: Record<string, unknown>;
  saved: boolean;
  updatedAt: string | null;
}

/** One setting as its own form: PUT /settings/:key with the whole value; API issues land under their fields. */
export function SettingCard({ setting, title, canEdit, onSaved, children }: { setting: Setting; title: string; canEdit: boolean; onSaved: () => void; children: ReactNode }) {
  const notify = useNotify();
  const submit = async (values: Record<string, unknown>) => {
    const value = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '' && v != null));
    try {
      await apiFetch(`/settings/${setting.key}`, { method: 'PUT', body: JSON.stringify(value) });
      notify(`${title} saved`);
      onSaved();
      return undefined;
    } catch (error) {
      const errors = fieldErrors(error);
      if (!errors) notify((error as Error).message, { type: 'error' });
      return errors;
    }
  };
  return (
    <Card data-testid={`setting-${setting.key}`}>
      <CardHeader title={title} subheader={setting.saved ? `Saved ${new Date(setting.updatedAt!).toLocaleString()}` : 'Default'} />
      <CardContent>
        <Form record={setting.value} onSubmit={submit} disabled={!canEdit}>
          <Stack>{children}</Stack>
          {canEdit && <SaveButton alwaysEnable />}
        </Form>
      </CardContent>
    </Card>
  );
}

/** System-wide settings; managers see them read-only. */
export function SettingsPage() {
  const { data, error, reload } = useApi<{ data: Setting[] }>('/settings');
  const canEdit = Boolean(getAbilities()['settings.manage']);
  const byKey = new Map((data?.data ?? []).map((s) => [s.key, s]));
  const rag = byKey.get('rag.defaults');
  const registration = byKey.get('registration');
  const branding = byKey.get('branding');
  return (
    <Stack spacing={2} sx={{ mt: 2, maxWidth: 720 }}>
      <Title title="Settings" />
      {error && <Alert severity="error">{error.message}</Alert>}
      {!canEdit && <Alert severity="info">Only administrators can change these settings.</Alert>}
      {rag && (
        <SettingCard setting={rag} title="Retrieval defaults" canEdit={canEdit} onSaved={reload}>
          <NumberInput source="topK" label="Top-k passages" validate={[required(), minValue(1), maxValue(50)]} />
          <NumberInput source="similarityThreshold" step={0.05} validate={[required(), minValue(0), maxValue(1)]} />
          <NumberInput source="chunkSize" label="Chunk size (tokens)" validate={[required(), minValue(64), maxValue(4096)]} />
          <NumberInput source="chunkOverlap" label="Chunk overlap (tokens)" validate={[required(), minValue(0), maxValue(1024)]} />
        </SettingCard>
      )}
      {registration && (
        <SettingCard setting={registration} title="Registration" canEdit={canEdit} onSaved={reload}>
          <SelectInput
            source="policy"
            validate={required()}
            choices={[
              { id: 'closed', name: 'Closed: admins create accounts' },
              { id: 'invite', name: 'Invite: by invitation only' },
            ]}
          />
        </SettingCard>
      )}
      {branding && (
        <SettingCard setting={branding} title="Branding" canEdit={canEdit} onSaved={reload}>
          <TextInput source="name" label="Product name" validate={required()} />
          <TextInput source="accentColor" label="Accent colour (#rrggbb)" validate={required()} />
          <TextInput source="logoUrl" label="Logo URL" helperText="https://… or a path starting with /" />
        </SettingCard>
      )}
    </Stack>
  );
}
