import SpeedIcon from '@mui/icons-material/Speed';
import {
  AutocompleteInput,
  Create,
  DataTable,
  Edit,
  FunctionField,
  List,
  NumberInput,
  ReferenceInput,
  SelectInput,
  SimpleForm,
  TextField,
  maxValue,
  minValue,
  required,
} from 'react-admin';
import { useWatch } from 'react-hook-form';
import { QuotaUsage } from './QuotaUsage';

const scopeChoices = [
  { id: 'global', name: 'Global' },
  { id: 'group', name: 'Group' },
  { id: 'user', name: 'User' },
  { id: 'assistant', name: 'Assistant' },
];

const scopeReference: Record<string, { reference: string; optionText: string }> = {
  group: { reference: 'groups', optionText: 'name' },
  user: { reference: 'users', optionText: 'email' },
  assistant: { reference: 'assistants', optionText: 'name' },
};

interface QuotaRow {
  scope: string;
  scopeName: string | null;
  scopeDetail: string | null;
}

function QuotaList() {
  return (
    <List filters={[<SelectInput key="scope" source="scope" choices={scopeChoices} alwaysOn />]} exporter={false}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="scope" disableSort />
        <DataTable.Col label="Applies to" disableSort render={(r: QuotaRow) => (r.scope === 'global' ? 'Everyone' : [r.scopeName, r.scopeDetail].filter(Boolean).join(' · '))} />
        <DataTable.Col label="Current usage against limits" disableSort>
          <QuotaUsage />
        </DataTable.Col>
        <DataTable.Col source="alertThresholdPct" label="Alert at %" disableSort />
      </DataTable>
    </List>
  );
}

/** Every limit is optional: empty means no limit; 0 blocks the scope. */
const LimitInputs = () => (
  <>
    <NumberInput source="requestsPerMinute" validate={minValue(0)} />
    <NumberInput source="requestsPerHour" validate={minValue(0)} />
    <NumberInput source="tokensPerDay" validate={minValue(0)} />
    <NumberInput source="tokensPerMonth" validate={minValue(0)} />
    <NumberInput source="costPerDay" label="Cost per day (USD)" validate={minValue(0)} />
    <NumberInput source="costPerMonth" label="Cost per month (USD)" validate={minValue(0)} />
    <NumberInput source="alertThresholdPct" label="Alert threshold (%)" defaultValue={80} validate={[minValue(1), maxValue(100)]} />
  </>
);

function ScopeTarget() {
  const scope = useWatch({ name: 'scope' }) as string | undefined;
  const target = scope ? scopeReference[scope] : undefined;
  if (!target) return null;
  return (
    <ReferenceInput source="scopeId" reference={target.reference} key={scope}>
      <AutocompleteInput optionText={target.optionText} label={`Which ${scope}`} validate={required()} filterToQuery={(q) => ({ q })} />
    </ReferenceInput>
  );
}

const limitKeys = ['requestsPerMinute', 'requestsPerHour', 'tokensPerDay', 'tokensPerMonth', 'costPerDay', 'costPerMonth', 'alertThresholdPct'];
const pick = (data: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(data).filter(([k]) => keys.includes(k)));

function QuotaCreate() {
  return (
    <Create redirect="list" transform={(d: Record<string, unknown>) => pick(d, ['scope', 'scopeId', ...limitKeys])}>
      <SimpleForm>
        <SelectInput source="scope" choices={scopeChoices} validate={required()} defaultValue="global" />
        <ScopeTarget />
        <LimitInputs />
      </SimpleForm>
    </Create>
  );
}

function QuotaEdit() {
  return (
    <Edit mutationMode="pessimistic" transform={(d: Record<string, unknown>) => pick(d, limitKeys)}>
      <SimpleForm>
        <TextField source="scope" />
        <FunctionField label="Applies to" render={(r: QuotaRow) => r.scopeName ?? 'Everyone'} />
        <QuotaUsage />
        <LimitInputs />
      </SimpleForm>
    </Edit>
  );
}

export default {
  name: 'quotas',
  list: QuotaList,
  create: QuotaCreate,
  edit: QuotaEdit,
  icon: SpeedIcon,
  options: { label: 'Quotas' },
};
