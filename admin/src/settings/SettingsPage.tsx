import { Alert, Card, CardContent, CardHeader, Stack } from '@mui/material';
import { useState, type ReactNode } from 'react';
import {
  AutocompleteArrayInput,
  Form,
  FormDataConsumer,
  NumberInput,
  ReferenceArrayInput,
  SaveButton,
  SelectInput,
  TextInput,
  Title,
  maxValue,
  minValue,
  required,
  useNotify,
} from 'react-admin';
import { useApi } from '../common/useApi';
import { apiFetch, fieldErrors, getAbilities } from '../session';
import { LogoUpload } from './LogoUpload';
import { OutdatedChunking } from './OutdatedChunking';

export interface Setting {
  key: 'rag.defaults' | 'registration' | 'branding' | 'tokens' | 'tools' | 'webSources' | 'attachments';
  value: Record<string, unknown>;
  saved: boolean;
  updatedAt: string | null;
}

/** One setting as its own form: PUT /settings/:key with the whole value; API issues land under their fields. */
export function SettingCard({
  setting,
  title,
  canEdit,
  onSaved,
  nullable = [],
  children,
}: {
  setting: Setting;
  title: string;
  canEdit: boolean;
  onSaved: () => void;
  /** Fields sent as null when left empty (the API then applies its own default); other empty fields are left out. */
  nullable?: string[];
  children: ReactNode;
}) {
  const notify = useNotify();
  const submit = async (values: Record<string, unknown>) => {
    const empty = (v: unknown) => v === '' || v == null;
    const value = Object.fromEntries(
      Object.entries(values)
        .filter(([key, v]) => !empty(v) || nullable.includes(key))
        .map(([key, v]) => [key, empty(v) ? null : v]),
    );
    for (const key of nullable) value[key] ??= null;
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
  // Bumped on each save of the RAG defaults, so the outdated-files check runs again.
  const [ragSaves, setRagSaves] = useState(0);
  const canEdit = Boolean(getAbilities()['settings.manage']);
  const byKey = new Map((data?.data ?? []).map((s) => [s.key, s]));
  const rag = byKey.get('rag.defaults');
  const registration = byKey.get('registration');
  const branding = byKey.get('branding');
  const tools = byKey.get('tools');
  const webSources = byKey.get('webSources');
  const attachments = byKey.get('attachments');
  return (
    <Stack spacing={2} sx={{ mt: 2, maxWidth: 720 }}>
      <Title title="Settings" />
      {error && <Alert severity="error">{error.message}</Alert>}
      {!canEdit && <Alert severity="info">Only administrators can change these settings.</Alert>}
      {rag && (
        <SettingCard
          setting={rag}
          title="Retrieval defaults"
          canEdit={canEdit}
          nullable={['similarityThreshold']}
          onSaved={() => {
            reload();
            setRagSaves((n) => n + 1);
          }}
        >
          <Alert severity="info" sx={{ mb: 2 }}>
            Used by every assistant that sets no value of its own. New chunking applies to files indexed from now on.
          </Alert>
          <NumberInput source="topK" label="Top-k passages" validate={[required(), minValue(1), maxValue(50)]} />
          <NumberInput
            source="similarityThreshold"
            step={0.05}
            helperText="Empty: the value calibrated for the embedder in use (0.7 OpenAI-compatible, 0.2 local)"
            validate={[minValue(0), maxValue(1)]}
          />
          <NumberInput source="chunkSize" label="Chunk size (tokens)" validate={[required(), minValue(64), maxValue(4096)]} />
          <NumberInput source="chunkOverlap" label="Chunk overlap (tokens)" validate={[required(), minValue(0), maxValue(1024)]} />
        </SettingCard>
      )}
      {rag && <OutdatedChunking key={ragSaves} canEdit={canEdit} />}
      {registration && (
        <SettingCard setting={registration} title="Registration" canEdit={canEdit} onSaved={reload}>
          <SelectInput
            source="policy"
            validate={required()}
            choices={[
              { id: 'closed', name: 'Closed: admins create accounts' },
              { id: 'invite', name: 'Invite: by invitation only' },
              { id: 'domains', name: 'Open to listed e-mail domains: people sign up themselves' },
            ]}
          />
          <FormDataConsumer<{ policy?: string }>>
            {({ formData }) =>
              formData.policy === 'domains' && (
                <Stack>
                  <TextInput
                    source="allowedDomains"
                    label="Allowed e-mail domains"
                    helperText="Comma-separated, e.g. example.com, example.org (exact domains; subdomains are not included)"
                    format={(v: string[] | undefined) => (v ?? []).join(', ')}
                    parse={(v: string) => v.split(/[\s,]+/).filter(Boolean)}
                    validate={required()}
                  />
                  <SelectInput
                    source="defaultRole"
                    label="Role of new accounts"
                    emptyText="User"
                    choices={[
                      { id: 'user', name: 'User' },
                      { id: 'manager', name: 'Manager' },
                    ]}
                  />
                  <ReferenceArrayInput source="defaultGroupIds" reference="groups">
                    <AutocompleteArrayInput optionText="name" label="Groups of new accounts" />
                  </ReferenceArrayInput>
                </Stack>
              )
            }
          </FormDataConsumer>
        </SettingCard>
      )}
      {branding && (
        <SettingCard setting={branding} title="Branding" canEdit={canEdit} onSaved={reload}>
          <TextInput source="name" label="Product name" validate={required()} />
          <TextInput source="accentColor" label="Accent colour (#rrggbb)" validate={required()} />
          <TextInput source="logoUrl" label="Logo URL" helperText="Set by uploading below, or a path starting with / (other sites’ images are blocked by the page’s security policy)" />
        </SettingCard>
      )}
      {branding && canEdit && <LogoUpload logoUrl={(branding.value.logoUrl as string | undefined) ?? null} onSaved={reload} />}
      {branding && (
        <Alert severity="info">
          The product name, logo and accent colour show on the sign-in pages, in the chat app and in this console (after a reload).
        </Alert>
      )}
      {tools && (
        <SettingCard setting={tools} title="Tools" canEdit={canEdit} onSaved={reload}>
          <NumberInput source="maxSteps" label="Model calls per answer" helperText="The last one may not call tools" validate={[required(), minValue(1), maxValue(20)]} />
          <NumberInput source="callTimeoutMs" label="Time limit per tool call (ms)" validate={[required(), minValue(1000), maxValue(300000)]} />
          <NumberInput source="maxResultChars" label="Result size limit (characters)" helperText="Longer results are cut, with a note to the model" validate={[required(), minValue(500), maxValue(200000)]} />
          <NumberInput
            source="approvalTimeoutMs"
            label="Time to allow an “ask first” call (ms)"
            helperText="No reply in this time counts as a denial"
            defaultValue={120000}
            validate={[required(), minValue(1000), maxValue(3600000)]}
          />
        </SettingCard>
      )}
      {webSources && (
        <SettingCard setting={webSources} title="Web sources" canEdit={canEdit} onSaved={reload}>
          <Alert severity="info" sx={{ mb: 2 }}>
            Web sources reach public addresses only. List the intranet hosts, addresses or CIDR ranges they may crawl as well; a redirect from them elsewhere private is still refused.
          </Alert>
          <TextInput
            source="allowList"
            label="Allowed private hosts and ranges"
            helperText="Comma-separated, e.g. intranet.example.com, 10.20.0.0/16"
            format={(v: string[] | undefined) => (v ?? []).join(', ')}
            parse={(v: string) => v.split(/[\s,]+/).filter(Boolean)}
          />
          <TextInput source="userAgent" label="User agent" helperText="Sent with every request and matched against robots.txt" validate={required()} />
        </SettingCard>
      )}
      {attachments && (
        <SettingCard setting={attachments} title="Attachments" canEdit={canEdit} onSaved={reload}>
          <NumberInput source="maxFileMb" label="Largest attachment (MB)" helperText="Never above the server's MAX_UPLOAD_MB" validate={[required(), minValue(1), maxValue(500)]} />
          <NumberInput source="userStorageMb" label="Attachments per user (MB)" helperText="Across all of a user's conversations" validate={[required(), minValue(1), maxValue(100000)]} />
        </SettingCard>
      )}
    </Stack>
  );
}
