import { Button, IconButton, MenuItem, Select, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import DeleteIcon from '@mui/icons-material/Delete';
import { useState } from 'react';
import { AutocompleteInput, Form, ReferenceInput, useCanAccess, useNotify, useRecordContext, useRefresh } from 'react-admin';
import { memberRoleChoices } from '../common/choices';
import { apiFetch } from '../session';

interface Member {
  userId: string;
  email: string;
  name: string;
  role: 'member' | 'manager';
}

/** Members of a group: add, change role, remove (PUT/DELETE /groups/:id/members/:userId). */
export function GroupMembers() {
  const group = useRecordContext<{ id: string; members?: Member[] }>();
  const notify = useNotify();
  const refresh = useRefresh();
  const { canAccess: canManage } = useCanAccess({ resource: 'groups', action: 'edit' });
  const [role, setRole] = useState<'member' | 'manager'>('member');
  if (!group) return null;

  const save = async (userId: string, memberRole: string) => {
    try {
      await apiFetch(`/groups/${group.id}/members/${userId}`, { method: 'PUT', body: JSON.stringify({ role: memberRole }) });
      refresh();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };
  const remove = async (userId: string) => {
    await apiFetch(`/groups/${group.id}/members/${userId}`, { method: 'DELETE' });
    refresh();
  };

  return (
    <Stack sx={{ mt: 2, width: '100%' }}>
      <Typography variant="h6">Members</Typography>
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Email</TableCell>
            <TableCell>Name</TableCell>
            <TableCell>Role</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {(group.members ?? []).map((m) => (
            <TableRow key={m.userId}>
              <TableCell>{m.email}</TableCell>
              <TableCell>{m.name}</TableCell>
              <TableCell>
                <Select size="small" value={m.role} disabled={!canManage} onChange={(e) => save(m.userId, e.target.value)}>
                  {memberRoleChoices.map((c) => (
                    <MenuItem key={c.id} value={c.id}>
                      {c.name}
                    </MenuItem>
                  ))}
                </Select>
              </TableCell>
              <TableCell>
                {canManage && (
                  <IconButton aria-label={`Remove ${m.email}`} onClick={() => remove(m.userId)}>
                    <DeleteIcon />
                  </IconButton>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {canManage && (
        <Form onSubmit={(values: Record<string, unknown>) => values.userId && save(values.userId as string, role)}>
          <Stack direction="row" spacing={2} sx={{ mt: 2, alignItems: 'center' }}>
            <ReferenceInput source="userId" reference="users">
              <AutocompleteInput label="Add user" optionText="email" filterToQuery={(q) => ({ q })} sx={{ minWidth: 300 }} />
            </ReferenceInput>
            <Select size="small" value={role} onChange={(e) => setRole(e.target.value as 'member' | 'manager')}>
              {memberRoleChoices.map((c) => (
                <MenuItem key={c.id} value={c.id}>
                  {c.name}
                </MenuItem>
              ))}
            </Select>
            <Button type="submit" variant="outlined">
              Add member
            </Button>
          </Stack>
        </Form>
      )}
    </Stack>
  );
}
