import { Box } from '@mui/material';
import GroupsIcon from '@mui/icons-material/Groups';
import { BooleanInput, Create, DataTable, DateField, Edit, List, SearchInput, SimpleForm, TextInput, required } from 'react-admin';
import { GroupMembers } from './GroupMembers';

function GroupList() {
  return (
    <List filters={[<SearchInput key="q" source="q" alwaysOn />]} sort={{ field: 'name', order: 'ASC' }}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="name" />
        <DataTable.Col source="description" disableSort />
        <DataTable.Col source="memberCount" label="Members" disableSort />
        <DataTable.Col source="createdAt" label="Created" field={DateField} />
      </DataTable>
    </List>
  );
}

const GroupFields = () => (
  <>
    <TextInput source="name" validate={required()} />
    <TextInput source="description" multiline fullWidth />
    <BooleanInput
      source="memoryDisabled"
      label="Turn memory off for members"
      helperText="Members of this group cannot keep or use memories, whatever their own setting (their existing notes stay, visible only to them)."
    />
    <BooleanInput
      source="apiRawModels"
      label="Raw models in the API"
      helperText="Members may call the enabled chat models directly (model: model:<id>) through the OpenAI-compatible API, with no assistant, under their quotas."
    />
  </>
);

function GroupCreate() {
  return (
    <Create redirect="edit">
      <SimpleForm>
        <GroupFields />
      </SimpleForm>
    </Create>
  );
}

function GroupEdit() {
  return (
    <Edit mutationMode="pessimistic">
      <SimpleForm>
        <GroupFields />
      </SimpleForm>
      {/* Outside the form: membership changes save at once, each on its own. */}
      <Box sx={{ px: 2, pb: 2 }}>
        <GroupMembers />
      </Box>
    </Edit>
  );
}

export default {
  name: 'groups',
  list: GroupList,
  create: GroupCreate,
  edit: GroupEdit,
  icon: GroupsIcon,
  recordRepresentation: 'name',
  options: { label: 'Groups' },
};
