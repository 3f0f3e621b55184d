import MemoryIcon from '@mui/icons-material/Memory';
import {
  BooleanField,
  BooleanInput,
  Create,
  DataTable,
  Edit,
  List,
  NumberField,
  NumberInput,
  ReferenceInput,
  SelectInput,
  SimpleForm,
  TextInput,
  minValue,
  required,
} from 'react-admin';

const kindChoices = [
  { id: 'chat', name: 'Chat' },
  { id: 'embedding', name: 'Embedding' },
  { id: 'rerank', name: 'Rerank' },
];

const usd = { style: 'currency', currency: 'USD', maximumFractionDigits: 6 } as const;

function ModelList() {
  return (
    <List pagination={false} exporter={false}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="providerName" label="Provider" disableSort />
        <DataTable.Col source="name" disableSort />
        <DataTable.Col source="displayName" label="Display name" disableSort />
        <DataTable.Col source="kind" disableSort />
        <DataTable.Col source="contextWindow" label="Context" disableSort />
        <DataTable.Col source="inputPricePerMTok" label="Input $/M tokens" disableSort>
          <NumberField source="inputPricePerMTok" options={usd} />
        </DataTable.Col>
        <DataTable.Col source="outputPricePerMTok" label="Output $/M tokens" disableSort>
          <NumberField source="outputPricePerMTok" options={usd} />
        </DataTable.Col>
        <DataTable.Col source="enabled" field={BooleanField} disableSort />
      </DataTable>
    </List>
  );
}

const ModelFields = () => (
  <>
    <ReferenceInput source="providerId" reference="providers">
      <SelectInput optionText="name" validate={required()} />
    </ReferenceInput>
    <TextInput source="name" label="Provider's model name" validate={required()} />
    <TextInput source="displayName" />
    <SelectInput source="kind" choices={kindChoices} defaultValue="chat" />
    <NumberInput source="contextWindow" validate={minValue(256)} />
    <NumberInput source="maxOutputTokens" />
    <NumberInput source="inputPricePerMTok" label="Input price per million tokens (USD)" validate={minValue(0)} />
    <NumberInput source="outputPricePerMTok" label="Output price per million tokens (USD)" validate={minValue(0)} />
    <BooleanInput source="enabled" defaultValue />
    <BooleanInput source="vision" label="Vision (takes images)" helperText="Attached images are sent to it as image parts; otherwise their OCR text is used" />
  </>
);

const modelEditable = ['providerId', 'name', 'displayName', 'kind', 'contextWindow', 'maxOutputTokens', 'inputPricePerMTok', 'outputPricePerMTok', 'enabled', 'vision'];
const onlyEditable = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).filter(([k]) => modelEditable.includes(k)));

export default {
  name: 'models',
  list: ModelList,
  create: () => (
    <Create transform={onlyEditable}>
      <SimpleForm>
        <ModelFields />
      </SimpleForm>
    </Create>
  ),
  edit: () => (
    <Edit mutationMode="pessimistic" transform={onlyEditable}>
      <SimpleForm>
        <ModelFields />
      </SimpleForm>
    </Edit>
  ),
  icon: MemoryIcon,
  options: { label: 'Models & prices' },
};
