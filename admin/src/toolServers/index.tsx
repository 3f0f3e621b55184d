import BuildIcon from '@mui/icons-material/Build';
import { Alert, Box, Button, Checkbox, FormControlLabel, Stack, Switch, Typography } from '@mui/material';
import { useState } from 'react';
import {
  ArrayInput,
  BooleanField,
  BooleanInput,
  Create,
  DataTable,
  DateField,
  Edit,
  List,
  ReferenceArrayInput,
  SelectArrayInput,
  SimpleForm,
  SimpleFormIterator,
  TextInput,
  required,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { apiFetch } from '../session';

// MCP tool servers (admins): where a server is, the headers it needs (write-only),
// which groups may use it and which assistants offer it; "Test" lists its tools,
// each switched on or off here, and marked "ask first" (each call waits for the
// asking user to allow it).

interface ToolServerRecord {
  id: string;
  name: string;
  url: string;
  /** stdio: a command on the host declared by the operator (MCP_STDIO_SERVERS); only its users, assistants and tools change here. */
  transport: 'http' | 'stdio';
  command: string | null;
  enabled: boolean;
  headerNames: string[];
  disabledTools: string[];
  askFirstTools: string[];
  groupIds: string[];
  assistantIds: string[];
}

interface TestResult {
  ok: boolean;
  latencyMs: number;
  tools: { name: string; description: string; enabled: boolean; askFirst: boolean }[];
  error: string | null;
}

type FormValues = Partial<ToolServerRecord> & { newHeaders?: { name: string; value: string }[]; clearHeaders?: boolean };

/** Headers are write-only: sent only when new ones were typed (replacing all) or removal was asked for. */
function toApi(data: FormValues) {
  const { newHeaders, clearHeaders, name, url, enabled, groupIds, assistantIds, disabledTools } = data;
  if (data.transport === 'stdio') return { enabled, groupIds, assistantIds, disabledTools };
  const typed = (newHeaders ?? []).filter((h) => h?.name?.trim());
  return {
    name,
    url,
    enabled,
    groupIds,
    assistantIds,
    disabledTools,
    ...(clearHeaders ? { headers: null } : typed.length ? { headers: Object.fromEntries(typed.map((h) => [h.name.trim(), h.value ?? ''])) } : {}),
  };
}

function ToolServerList() {
  return (
    <List pagination={false} exporter={false}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="name" disableSort />
        <DataTable.Col label="Where" disableSort render={(r: ToolServerRecord) => (r.transport === 'stdio' ? `runs ${r.command} (declared by the operator)` : r.url)} />
        <DataTable.Col source="enabled" field={BooleanField} disableSort />
        <DataTable.Col label="Headers" disableSort render={(r: ToolServerRecord) => r.headerNames.join(', ') || 'none'} />
        <DataTable.Col label="Groups" disableSort render={(r: ToolServerRecord) => r.groupIds.length} />
        <DataTable.Col label="Assistants" disableSort render={(r: ToolServerRecord) => r.assistantIds.length} />
        <DataTable.Col source="updatedAt" label="Updated" field={DateField} disableSort />
      </DataTable>
    </List>
  );
}

function ToolServerFields({ editing }: { editing: boolean }) {
  const record = useRecordContext<ToolServerRecord>();
  if (record?.transport === 'stdio') return <DeclaredServerFields record={record} />;
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="url" label="Streamable HTTP URL" fullWidth validate={required()} helperText="e.g. https://crm.internal.example.com/mcp (servers that run commands on this host cannot be added)" />
      <BooleanInput source="enabled" defaultValue />
      <Typography variant="subtitle2" sx={{ mt: 1 }}>
        Headers {editing && record?.headerNames.length ? `(set: ${record.headerNames.join(', ')}; values are never shown)` : ''}
      </Typography>
      <ArrayInput source="newHeaders" label={editing ? 'Replace all headers with' : 'Headers sent with every request (an API key, say)'}>
        <SimpleFormIterator inline disableReordering>
          <TextInput source="name" label="Header" />
          <TextInput source="value" label="Value" type="password" />
        </SimpleFormIterator>
      </ArrayInput>
      {editing && <BooleanInput source="clearHeaders" label="Remove all headers" />}
      <AudienceInputs />
    </>
  );
}

/** Who may use a server's tools, and which assistants offer them. */
function AudienceInputs() {
  return (
    <>
      <ReferenceArrayInput source="groupIds" reference="groups" perPage={200}>
        <SelectArrayInput optionText="name" label="Groups that may use it" />
      </ReferenceArrayInput>
      <ReferenceArrayInput source="assistantIds" reference="assistants" perPage={200}>
        <SelectArrayInput optionText="name" label="Assistants that offer its tools" />
      </ReferenceArrayInput>
    </>
  );
}

/** A server the operator declared: what it runs is shown, not edited; who may use it is chosen here. */
function DeclaredServerFields({ record }: { record: ToolServerRecord }) {
  return (
    <>
      <Alert severity="info" sx={{ mb: 2 }}>
        <strong>{record.name}</strong> runs <code>{record.command}</code> on the server. It is declared by the operator in MCP_STDIO_SERVERS: its name and command
        change there, not here.
      </Alert>
      <BooleanInput source="enabled" />
      <AudienceInputs />
    </>
  );
}

/** Connects to the server, lists its tools, switches each on or off and marks it "ask first". */
function TestPanel() {
  const record = useRecordContext<ToolServerRecord>();
  const notify = useNotify();
  const refresh = useRefresh();
  const [result, setResult] = useState<TestResult | null>(null);
  const [busy, setBusy] = useState(false);
  if (!record) return null;
  const test = async () => {
    setBusy(true);
    try {
      setResult((await apiFetch(`/tool-servers/${record.id}/test`, { method: 'POST' })) as TestResult);
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const toggle = async (tool: string, enabled: boolean) => {
    const disabledTools = enabled ? record.disabledTools.filter((t) => t !== tool) : [...new Set([...record.disabledTools, tool])];
    await apiFetch(`/tool-servers/${record.id}`, { method: 'PATCH', body: JSON.stringify({ disabledTools }), headers: { 'content-type': 'application/json' } });
    setResult((r) => r && { ...r, tools: r.tools.map((t) => (t.name === tool ? { ...t, enabled } : t)) });
    refresh();
  };
  const setAskFirst = async (tool: string, askFirst: boolean) => {
    const askFirstTools = askFirst ? [...new Set([...record.askFirstTools, tool])] : record.askFirstTools.filter((t) => t !== tool);
    await apiFetch(`/tool-servers/${record.id}`, { method: 'PATCH', body: JSON.stringify({ askFirstTools }), headers: { 'content-type': 'application/json' } });
    setResult((r) => r && { ...r, tools: r.tools.map((t) => (t.name === tool ? { ...t, askFirst } : t)) });
    refresh();
  };
  return (
    <Box sx={{ px: 2, pb: 2 }}>
      <Button variant="outlined" onClick={() => void test()} disabled={busy}>
        {busy ? 'Connecting…' : 'Test connection and list tools'}
      </Button>
      {result && !result.ok && (
        <Alert severity="error" sx={{ mt: 2 }}>
          {result.error}
        </Alert>
      )}
      {result?.ok && (
        <Stack sx={{ mt: 2 }}>
          <Alert severity="success">
            Connected in {result.latencyMs} ms: {result.tools.length} tools. Switched-off tools are never offered to a model; an “ask first” tool runs only
            when the user allows each call.
          </Alert>
          {result.tools.map((tool) => (
            <Box key={tool.name} sx={{ display: 'flex', alignItems: 'center' }}>
              <FormControlLabel
                sx={{ flex: 1 }}
                control={<Checkbox checked={tool.enabled} onChange={(e) => void toggle(tool.name, e.target.checked)} />}
                label={
                  <span>
                    <strong>{tool.name}</strong> — {tool.description || 'no description'}
                  </span>
                }
              />
              <FormControlLabel
                control={
                  <Switch
                    checked={tool.askFirst}
                    disabled={!tool.enabled}
                    onChange={(e) => void setAskFirst(tool.name, e.target.checked)}
                    slotProps={{ input: { 'aria-label': `Ask first: ${tool.name}` } }}
                  />
                }
                label="Ask first"
              />
            </Box>
          ))}
        </Stack>
      )}
    </Box>
  );
}

function ToolServerCreate() {
  return (
    <Create redirect="edit" transform={toApi}>
      <SimpleForm>
        <ToolServerFields editing={false} />
      </SimpleForm>
    </Create>
  );
}

function ToolServerEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect={false} transform={toApi}>
      <SimpleForm>
        <ToolServerFields editing />
      </SimpleForm>
      <TestPanel />
    </Edit>
  );
}

export default {
  name: 'tool-servers',
  list: ToolServerList,
  create: ToolServerCreate,
  edit: ToolServerEdit,
  icon: BuildIcon,
  recordRepresentation: 'name',
  options: { label: 'Tool servers' },
};
