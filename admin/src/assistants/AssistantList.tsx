import { Avatar, Button } from '@mui/material';
import {
  BooleanInput,
  CreateButton,
  DataTable,
  DateField,
  FunctionField,
  List,
  SearchInput,
  TopToolbar,
  useCanAccess,
  useListContext,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { apiFetch } from '../session';

interface AssistantRow {
  id: string;
  name: string;
  avatarUrl: string | null;
  deletedAt: string | null;
  model: { name: string; displayName: string | null } | null;
  /** No chat model can answer for it yet: it answers with the best passages of its knowledge. */
  searchMode: boolean;
}

function RestoreButton() {
  const record = useRecordContext<AssistantRow>();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record?.deletedAt) return null;
  const restore = async (event: React.MouseEvent) => {
    event.stopPropagation();
    await apiFetch(`/assistants/${record.id}/restore`, { method: 'POST' });
    notify(`${record.name} restored`);
    refresh();
  };
  return <Button onClick={restore}>Restore</Button>;
}

function Actions() {
  const { canAccess } = useCanAccess({ resource: 'assistants', action: 'create' });
  return <TopToolbar>{canAccess && <CreateButton />}</TopToolbar>;
}

function AssistantTable() {
  const { filterValues } = useListContext();
  const deleted = Boolean(filterValues.deleted);
  return (
    <DataTable bulkActionButtons={false} rowClick={deleted ? false : 'edit'}>
      <DataTable.Col label="" disableSort>
        <FunctionField render={(r: AssistantRow) => <Avatar src={r.avatarUrl ?? undefined} alt="" sx={{ width: 28, height: 28 }}>{r.name[0]}</Avatar>} />
      </DataTable.Col>
      <DataTable.Col source="name" />
      <DataTable.Col source="description" disableSort />
      <DataTable.Col label="Model" disableSort render={(r: AssistantRow) => (r.searchMode ? 'search mode' : (r.model?.displayName ?? r.model?.name ?? 'default'))} />
      <DataTable.Col source="createdAt" label="Created" field={DateField} />
      {deleted && <DataTable.Col source="deletedAt" label="Deleted" field={DateField} disableSort />}
      {deleted && (
        <DataTable.Col label="" disableSort>
          <RestoreButton />
        </DataTable.Col>
      )}
    </DataTable>
  );
}

export function AssistantList() {
  return (
    <List
      filters={[<SearchInput key="q" source="q" alwaysOn />, <BooleanInput key="deleted" source="deleted" label="Deleted (restorable)" alwaysOn />]}
      sort={{ field: 'name', order: 'ASC' }}
      actions={<Actions />}
      // Keep the filters (and so the "Deleted" switch) even when no assistant is in use.
      empty={false}
    >
      <AssistantTable />
    </List>
  );
}
