import ShortTextIcon from '@mui/icons-material/ShortText';
import { Create, DataTable, DateField, Edit, FunctionField, List, ReferenceArrayInput, SearchInput, SelectArrayInput, SimpleForm, TextInput, required } from 'react-admin';

// Prompts published to groups: their members find them with `/` in the chat
// app. Admins publish to any group, managers to the groups they manage (the
// group list offers only those). Personal prompts never appear here.

interface PromptRecord {
  id: string;
  groups: { id: string; name: string }[];
  variables: string[];
  owner: { name: string };
}

function PromptList() {
  return (
    <List filters={[<SearchInput key="q" source="q" alwaysOn />]} sort={{ field: 'title', order: 'ASC' }}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="title" disableSort />
        <DataTable.Col label="Groups" disableSort>
          <FunctionField<PromptRecord> render={(r) => r.groups.map((g) => g.name).join(', ')} />
        </DataTable.Col>
        <DataTable.Col label="Variables" disableSort>
          <FunctionField<PromptRecord> render={(r) => r.variables.join(', ')} />
        </DataTable.Col>
        <DataTable.Col label="Owner" disableSort>
          <FunctionField<PromptRecord> render={(r) => r.owner.name} />
        </DataTable.Col>
        <DataTable.Col source="updatedAt" label="Updated" field={DateField} disableSort />
      </DataTable>
    </List>
  );
}

const PromptFields = () => (
  <>
    <TextInput source="title" validate={required()} fullWidth />
    <TextInput source="text" validate={required()} multiline minRows={4} fullWidth helperText="Write {{name}} for a blank the user fills in, e.g. {{customer}}." />
    <ReferenceArrayInput source="groupIds" reference="groups" perPage={200}>
      <SelectArrayInput optionText="name" label="Published to groups" validate={required()} />
    </ReferenceArrayInput>
  </>
);

function PromptCreate() {
  return (
    <Create redirect="list">
      <SimpleForm>
        <PromptFields />
      </SimpleForm>
    </Create>
  );
}

function PromptEdit() {
  return (
    <Edit mutationMode="pessimistic">
      <SimpleForm>
        <PromptFields />
      </SimpleForm>
    </Edit>
  );
}

export default {
  name: 'prompts',
  list: PromptList,
  create: PromptCreate,
  edit: PromptEdit,
  icon: ShortTextIcon,
  recordRepresentation: 'title',
  options: { label: 'Published prompts' },
};
