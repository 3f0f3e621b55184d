import { Button, Chip, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import {
  BooleanInput,
  Edit,
  SelectInput,
  SimpleForm,
  TextField,
  TextInput,
  TopToolbar,
  required,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { roleChoices } from '../common/choices';
import { ResultDialog } from '../common/ResultDialog';
import { apiFetch } from '../session';

interface UserRecord {
  id: string;
  email: string;
  locked: boolean;
  groups: { id: string; name: string; role: string }[];
}

function ResetPasswordButton() {
  const record = useRecordContext<UserRecord>();
  const notify = useNotify();
  const [password, setPassword] = useState<string | null>(null);
  if (!record) return null;
  const reset = async () => {
    try {
      const result = (await apiFetch(`/users/${record.id}/reset-password`, { method: 'POST', body: '{}' })) as { temporaryPassword?: string };
      setPassword(result.temporaryPassword ?? '');
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };
  return (
    <>
      <Button onClick={reset}>Reset password</Button>
      <ResultDialog title="Temporary password" open={password !== null} onClose={() => setPassword(null)}>
        <Typography gutterBottom>Give it to {record.email}; they must change it at next sign-in. Their sessions have ended.</Typography>
        <Typography data-testid="temporary-password" sx={{ fontFamily: 'monospace', fontSize: 18 }}>
          {password}
        </Typography>
      </ResultDialog>
    </>
  );
}

function UnlockButton() {
  const record = useRecordContext<UserRecord>();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record?.locked) return null;
  const unlock = async () => {
    await apiFetch(`/users/${record.id}`, { method: 'PATCH', body: JSON.stringify({ locked: false }) });
    notify('Account unlocked');
    refresh();
  };
  return <Button onClick={unlock}>Unlock</Button>;
}

function Memberships() {
  const record = useRecordContext<UserRecord>();
  if (!record) return null;
  return (
    <Stack direction="row" spacing={1} sx={{ my: 1, alignItems: 'center' }}>
      <Typography variant="body2">Groups:</Typography>
      {record.groups.length === 0 && <Typography variant="body2">none (add members from a group)</Typography>}
      {record.groups.map((g) => (
        <Chip key={g.id} label={g.role === 'manager' ? `${g.name} · manager` : g.name} size="small" />
      ))}
    </Stack>
  );
}

export function UserEdit() {
  return (
    <Edit
      mutationMode="pessimistic"
      actions={
        <TopToolbar>
          <UnlockButton />
          <ResetPasswordButton />
        </TopToolbar>
      }
    >
      <SimpleForm>
        <TextField source="email" />
        <TextInput source="name" validate={required()} />
        <SelectInput source="role" choices={roleChoices} validate={required()} />
        <BooleanInput source="active" helperText="Deactivating ends the user's sessions" />
        <Memberships />
      </SimpleForm>
    </Edit>
  );
}
