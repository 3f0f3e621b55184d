import { Tab, Tabs } from '@mui/material';
import { useState } from 'react';
import { Create, DeleteButton, Edit, SaveButton, Toolbar, useRecordContext } from 'react-admin';
import { KnowledgePanel } from '../knowledge/KnowledgePanel';
import { AssistantForm } from './AssistantForm';
import { AvatarUpload } from './AvatarUpload';

// Fields the API accepts; the record also carries read-only ones (model, can, dates).
const editable = ['name', 'description', 'instructions', 'modelId', 'fallbackModelId', 'temperature', 'maxTokens', 'groupIds', 'knowledgeBases', 'topK', 'similarityThreshold', 'chunkSize', 'chunkOverlap', 'knowledgeOnly', 'attachmentsEnabled', 'builtinTools', 'flowSteps'];
/** The fields the API accepts; no steps left means one model answers again (null). */
const onlyEditable = (data: Record<string, unknown>) => {
  const fields = Object.fromEntries(Object.entries(data).filter(([k]) => editable.includes(k)));
  if (Array.isArray(fields.flowSteps) && fields.flowSteps.length === 0) fields.flowSteps = null;
  return fields;
};

function EditToolbar() {
  return (
    <Toolbar sx={{ justifyContent: 'space-between' }}>
      <SaveButton />
      {/* Soft delete: the assistant can be restored from the list's "Deleted" filter. */}
      <DeleteButton mutationMode="pessimistic" confirmTitle="Delete this assistant?" confirmContent="It can be restored later from the Deleted filter." />
    </Toolbar>
  );
}

function EditTabs() {
  const record = useRecordContext<{ id: string }>();
  const [tab, setTab] = useState(0);
  if (!record) return null;
  return (
    <>
      <Tabs value={tab} onChange={(_e, v: number) => setTab(v)} sx={{ px: 2, borderBottom: 1, borderColor: 'divider' }}>
        <Tab label="Settings" />
        <Tab label="Knowledge" />
      </Tabs>
      {tab === 0 && (
        <>
          <AvatarUpload />
          <AssistantForm toolbar={<EditToolbar />} />
        </>
      )}
      {tab === 1 && <KnowledgePanel owner={{ kind: 'assistant', id: record.id }} />}
    </>
  );
}

export function AssistantEdit() {
  return (
    <Edit mutationMode="pessimistic" transform={onlyEditable} redirect={false}>
      <EditTabs />
    </Edit>
  );
}

export function AssistantCreate() {
  return (
    <Create transform={onlyEditable} redirect="edit">
      <AssistantForm />
    </Create>
  );
}
