import HistoryIcon from '@mui/icons-material/History';
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import {
  AutocompleteInput,
  DataTable,
  DateField,
  DateTimeInput,
  List,
  SearchInput,
  Show,
  SimpleShowLayout,
  TextField,
  TextInput,
  useRecordContext,
} from 'react-admin';
import { useApi } from '../common/useApi';
import { AuditActions } from './AuditActions';

function ActionFilter(props: { source: string; label?: string; alwaysOn?: boolean }) {
  const { data } = useApi<{ data: string[] }>('/audit/actions');
  const names = data?.data ?? [];
  // Prefixes (auth., user. …) filter whole families.
  const prefixes = [...new Set(names.map((n) => `${n.split('.')[0]}.`))];
  const choices = [...prefixes, ...names].map((id) => ({ id, name: id }));
  return <AutocompleteInput {...props} choices={choices} />;
}

const auditFilters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <ActionFilter key="action" source="action" label="Action" alwaysOn />,
  <TextInput key="actorEmail" source="actorEmail" label="Actor email" />,
  <TextInput key="resourceType" source="resourceType" label="Resource type" />,
  <TextInput key="resourceId" source="resourceId" label="Resource id" />,
  <DateTimeInput key="from" source="from" parse={(v: string) => (v ? new Date(v).toISOString() : v)} />,
  <DateTimeInput key="to" source="to" parse={(v: string) => (v ? new Date(v).toISOString() : v)} />,
];

function AuditList() {
  return (
    <List filters={auditFilters} sort={{ field: 'createdAt', order: 'DESC' }} perPage={50} actions={<AuditActions />} exporter={false}>
      <DataTable bulkActionButtons={false} rowClick="show">
        <DataTable.Col source="id" label="#" />
        <DataTable.Col source="createdAt" label="When" field={DateField} />
        <DataTable.Col source="actorEmail" label="Actor" />
        <DataTable.Col source="action" />
        <DataTable.Col source="resourceType" label="Resource" />
        <DataTable.Col source="resourceId" label="Resource id" disableSort />
        <DataTable.Col source="ip" label="IP" disableSort />
      </DataTable>
    </List>
  );
}

const show = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 0));

/** Old and new values side by side, one row per field that appears in either. */
function ValuesDiff() {
  const entry = useRecordContext<{ oldValues: unknown; newValues: unknown }>();
  if (!entry) return null;
  const asObject = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : v == null ? {} : { value: v });
  const before = asObject(entry.oldValues);
  const after = asObject(entry.newValues);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (keys.length === 0) return <Typography variant="body2">No values recorded.</Typography>;
  return (
    <Table size="small" data-testid="audit-values">
      <TableHead>
        <TableRow>
          <TableCell>Field</TableCell>
          <TableCell>Old value</TableCell>
          <TableCell>New value</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {keys.map((k) => {
          const changed = show(before[k]) !== show(after[k]);
          return (
            <TableRow key={k} sx={changed ? { bgcolor: 'action.hover' } : undefined}>
              <TableCell>{k}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{show(before[k])}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>{show(after[k])}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

function AuditShow() {
  return (
    <Show>
      <SimpleShowLayout>
        <TextField source="id" label="Entry #" />
        <DateField source="createdAt" label="When" showTime />
        <TextField source="actorEmail" label="Actor" emptyText="system" />
        <TextField source="action" />
        <TextField source="resourceType" label="Resource type" emptyText="–" />
        <TextField source="resourceId" label="Resource id" emptyText="–" />
        <TextField source="ip" label="IP" emptyText="–" />
        <TextField source="userAgent" label="User agent" emptyText="–" />
        <Box>
          <Typography variant="subtitle2" gutterBottom>
            Values (secrets were redacted before storing)
          </Typography>
          <ValuesDiff />
        </Box>
        <TextField source="prevHash" label="Previous hash" sx={{ fontFamily: 'monospace' }} />
        <TextField source="hash" sx={{ fontFamily: 'monospace' }} />
      </SimpleShowLayout>
    </Show>
  );
}

export default {
  name: 'audit',
  list: AuditList,
  show: AuditShow,
  icon: HistoryIcon,
  options: { label: 'Audit log' },
};
