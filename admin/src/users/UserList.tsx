import { BooleanField, DataTable, DateField, List, SearchInput, SelectInput } from 'react-admin';

const roleChoices = [
  { id: 'admin', name: 'Admin' },
  { id: 'manager', name: 'Manager' },
  { id: 'user', name: 'User' },
];

const userFilters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <SelectInput key="role" source="role" choices={roleChoices} />,
];

export function UserList() {
  return (
    <List filters={userFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={25}>
      <DataTable bulkActionButtons={false}>
        <DataTable.Col source="email" />
        <DataTable.Col source="name" />
        <DataTable.Col source="role" />
        <DataTable.Col source="active" field={BooleanField} />
        <DataTable.Col source="lastLoginAt" label="Last login" field={DateField} />
        <DataTable.Col source="createdAt" label="Created" field={DateField} />
      </DataTable>
    </List>
  );
}
