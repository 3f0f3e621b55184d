import NotificationsIcon from '@mui/icons-material/Notifications';
import { DataTable, DateField, List } from 'react-admin';
import { limitLabels } from './QuotaUsage';

/** Alerts recorded when a scope's use crosses its quota's alert threshold. */
function QuotaAlertList() {
  return (
    <List exporter={false} sort={{ field: 'createdAt', order: 'DESC' }}>
      <DataTable bulkActionButtons={false} rowClick={false}>
        <DataTable.Col source="createdAt" label="When" field={DateField} disableSort />
        <DataTable.Col source="scope" disableSort />
        <DataTable.Col source="scopeName" label="Applies to" disableSort />
        <DataTable.Col label="Limit" disableSort render={(r: { limit: string }) => limitLabels[r.limit] ?? r.limit} />
        <DataTable.Col source="usedPct" label="Used %" disableSort />
        <DataTable.Col source="periodStart" label="Period from" field={DateField} disableSort />
      </DataTable>
    </List>
  );
}

export default {
  name: 'quota-alerts',
  list: QuotaAlertList,
  icon: NotificationsIcon,
  options: { label: 'Quota alerts' },
};
