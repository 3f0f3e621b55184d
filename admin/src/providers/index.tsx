import { Box } from '@mui/material';
import CloudIcon from '@mui/icons-material/Cloud';
import { BooleanField, BooleanInput, Create, DataTable, DateField, Edit, List, SelectInput, SimpleForm, TextInput, required } from 'react-admin';
import { ApiKeysPanel } from './ApiKeysPanel';

const kindChoices = [
  { id: 'openai_compatible', name: 'OpenAI-compatible (OpenAI, Ollama, vLLM, LocalAI …)' },
  { id: 'anthropic', name: 'Anthropic' },
];

function ProviderList() {
  return (
    <List pagination={false} exporter={false}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="name" disableSort />
        <DataTable.Col source="kind" disableSort />
        <DataTable.Col source="baseUrl" label="Base URL" disableSort />
        <DataTable.Col source="enabled" field={BooleanField} disableSort />
        <DataTable.Col label="Keys" disableSort render={(r: { keys: { hint: string; enabled: boolean }[] }) => r.keys.filter((k) => k.enabled).map((k) => k.hint).join(', ') || 'none'} />
        <DataTable.Col source="modelCount" label="Models" disableSort />
        <DataTable.Col source="updatedAt" label="Updated" field={DateField} disableSort />
      </DataTable>
    </List>
  );
}

const ProviderFields = () => (
  <>
    <TextInput source="name" validate={required()} />
    <SelectInput source="kind" choices={kindChoices} validate={required()} defaultValue="openai_compatible" />
    <TextInput source="baseUrl" label="Base URL" fullWidth helperText="e.g. https://api.openai.com/v1 or http://ollama:11434/v1; empty for the provider's default" />
    <BooleanInput source="enabled" defaultValue />
  </>
);

function ProviderCreate() {
  return (
    <Create redirect="edit">
      <SimpleForm>
        <ProviderFields />
      </SimpleForm>
    </Create>
  );
}

function ProviderEdit() {
  return (
    <Edit mutationMode="pessimistic" redirect={false}>
      <SimpleForm>
        <ProviderFields />
      </SimpleForm>
      <Box sx={{ px: 2, pb: 2 }}>
        <ApiKeysPanel />
      </Box>
    </Edit>
  );
}

export default {
  name: 'providers',
  list: ProviderList,
  create: ProviderCreate,
  edit: ProviderEdit,
  icon: CloudIcon,
  recordRepresentation: 'name',
  options: { label: 'Providers & keys' },
};
