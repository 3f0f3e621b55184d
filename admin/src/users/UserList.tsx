import {
  BooleanField,
  BooleanInput,
  CreateButton,
  DataTable,
  DateField,
  ExportButton,
  FunctionField,
  List,
  ReferenceInput,
  SearchInput,
  SelectInput,
  TopToolbar,
  useCanAccess,
} from 'react-admin';
import { roleChoices } from '../common/choices';
import { PendingCell } from './ApproveButton';

const userFilters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="role" source="role" choices={roleChoices} />,
  <BooleanInput key="active" source="active" />,
  <BooleanInput key="pending" source="pending" label="Waiting for approval" />,
  <ReferenceInput key="groupId" source="groupId" reference="groups" label="Group">
    <SelectInput optionText="name" label="Group" />
  </ReferenceInput>,
];

function UserListActions() {
  const { canAccess: canCreate } = useCanAccess({ resource: 'users', action: 'create' });
  return (
    <TopToolbar>
      {canCreate && <CreateButton />}
      <ExportButton />
    </TopToolbar>
  );
}

export function UserList() {
  return (
    <List filters={userFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25} actions={<UserListActions />}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="email" />
        <DataTable.Col source="name" />
        <DataTable.Col source="role" />
        <DataTable.Col source="active" field={BooleanField} />
        <DataTable.Col
          label="Groups"
          disableSort
          render={(r: { groups: { name: string; role: string }[] }) => r.groups.map((g) => (g.role === 'manager' ? `${g.name} (manager)` : g.name)).join(', ')}
        />
        <DataTable.Col source="lastLoginAt" label="Last login" field={DateField} />
        <DataTable.Col source="createdAt" label="Created" field={DateField} />
        <DataTable.Col label="Locked" disableSort>
          <FunctionField render={(r: { locked: boolean }) => (r.locked ? 'locked' : '')} />
        </DataTable.Col>
        <DataTable.Col label="Sign-up" disableSort>
          <PendingCell />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
