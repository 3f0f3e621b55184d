import { Typography } from '@mui/material';
import { useState } from 'react';
import { Create, PasswordInput, SelectInput, SimpleForm, TextInput, email, required, useRedirect } from 'react-admin';
import { roleChoices } from '../common/choices';
import { ResultDialog } from '../common/ResultDialog';

/** Creates a user; a generated temporary password is shown once, then the user must change it. */
export function UserCreate() {
  const [created, setCreated] = useState<{ id: string; email: string; temporaryPassword?: string } | null>(null);
  const redirect = useRedirect();
  return (
    <>
      <Create mutationOptions={{ onSuccess: (data: { id: string; email: string; temporaryPassword?: string }) => setCreated(data) }}>
        <SimpleForm>
          <TextInput source="email" type="email" validate={[required(), email()]} />
          <TextInput source="name" validate={required()} />
          <SelectInput source="role" choices={roleChoices} defaultValue="user" validate={required()} />
          <PasswordInput source="password" label="Temporary password (leave empty to generate one)" autoComplete="new-password" />
        </SimpleForm>
      </Create>
      <ResultDialog
        title="User created"
        open={created !== null}
        onClose={() => {
          const id = created?.id;
          setCreated(null);
          if (id) redirect('edit', 'users', id);
        }}
      >
        <Typography gutterBottom>{created?.email} must change this password at first sign-in.</Typography>
        {created?.temporaryPassword ? (
          <Typography data-testid="temporary-password" sx={{ fontFamily: 'monospace', fontSize: 18 }}>
            {created.temporaryPassword}
          </Typography>
        ) : (
          <Typography>The password you entered is the temporary password.</Typography>
        )}
      </ResultDialog>
    </>
  );
}
