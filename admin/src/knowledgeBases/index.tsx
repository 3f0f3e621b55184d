import LibraryBooksIcon from '@mui/icons-material/LibraryBooks';
import { Chip, Stack, Tab, Tabs } from '@mui/material';
import { useState } from 'react';
import {
  Create,
  DataTable,
  DateField,
  DeleteButton,
  Edit,
  List,
  SaveButton,
  SearchInput,
  TextInput,
  Toolbar,
  useRecordContext,
} from 'react-admin';
import { KnowledgePanel } from '../knowledge/KnowledgePanel';
import { KnowledgeBaseForm } from './KnowledgeBaseForm';
import { WebSourcesPanel } from './WebSourcesPanel';

// Fields the API accepts; the record also carries read-only ones (counts, can, dates).
const editable = ['name', 'description', 'tags', 'language', 'maintainerGroupIds', 'readerGroupIds'];
const onlyEditable = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([k]) => editable.includes(k)));

function Tags() {
  const record = useRecordContext<{ tags: string[] }>();
  return (
    <Stack direction="row" spacing={0.5}>
      {record?.tags.map((t) => <Chip key={t} size="small" label={t} />)}
    </Stack>
  );
}

function KnowledgeBaseList() {
  return (
    <List filters={[<SearchInput key="q" source="q" alwaysOn />, <TextInput key="tag" source="tag" label="Tag" />]} sort={{ field: 'name', order: 'ASC' }}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="name" />
        <DataTable.Col label="Tags" disableSort>
          <Tags />
        </DataTable.Col>
        <DataTable.Col source="language" disableSort />
        <DataTable.Col source="fileCount" label="Files" disableSort />
        <DataTable.Col source="assistantCount" label="Assistants" disableSort />
        <DataTable.Col source="createdAt" label="Created" field={DateField} />
      </DataTable>
    </List>
  );
}

function EditToolbar() {
  return (
    <Toolbar sx={{ justifyContent: 'space-between' }}>
      <SaveButton />
      <DeleteButton mutationMode="pessimistic" confirmTitle="Delete this knowledge base?" confirmContent="No assistant will search it any more." />
    </Toolbar>
  );
}

function EditTabs() {
  const record = useRecordContext<{ id: string; can: { manage: boolean } }>();
  const [tab, setTab] = useState(0);
  if (!record) return null;
  return (
    <>
      <Tabs value={tab} onChange={(_e, v: number) => setTab(v)} sx={{ px: 2, borderBottom: 1, borderColor: 'divider' }}>
        <Tab label="Settings" />
        <Tab label="Files" />
        {record.can.manage && <Tab label="Web sources" />}
      </Tabs>
      {tab === 0 && <KnowledgeBaseForm toolbar={record.can.manage ? <EditToolbar /> : false} />}
      {tab === 1 && <KnowledgePanel owner={{ kind: 'knowledgeBase', id: record.id }} />}
      {tab === 2 && record.can.manage && <WebSourcesPanel knowledgeBaseId={record.id} />}
    </>
  );
}

function KnowledgeBaseEdit() {
  return (
    <Edit mutationMode="pessimistic" transform={onlyEditable} redirect={false}>
      <EditTabs />
    </Edit>
  );
}

function KnowledgeBaseCreate() {
  return (
    <Create transform={onlyEditable} redirect="edit">
      <KnowledgeBaseForm />
    </Create>
  );
}

export default {
  name: 'knowledge-bases',
  list: KnowledgeBaseList,
  create: KnowledgeBaseCreate,
  edit: KnowledgeBaseEdit,
  icon: LibraryBooksIcon,
  recordRepresentation: 'name',
  options: { label: 'Knowledge bases' },
};
