import DownloadIcon from '@mui/icons-material/Download';
import { Box, Button, Card, CardContent, CardHeader, MenuItem, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Title, useNotify } from 'react-admin';
import { formatUsd, isoDay } from '../common/choices';
import { useApi } from '../common/useApi';
import { downloadFile } from '../session';
import { type Metric, metricLabels, type TimeSeries, type Totals, type UsageRow, UsageBars, UsageOverTime } from './charts';

type GroupBy = 'user' | 'group' | 'assistant' | 'model';

interface Summary {
  range: { from: string; to: string; timeZone: string };
  totals: Totals;
  rows: UsageRow[];
}

const daysAgo = (n: number) => isoDay(new Date(Date.now() - n * 86_400_000));

/** Usage by user, group, assistant or model over a range of days: totals, charts, a table, and the CSV export. */
export function UsagePage() {
  const notify = useNotify();
  const [from, setFrom] = useState(daysAgo(29));
  const [to, setTo] = useState(daysAgo(0));
  const [groupBy, setGroupBy] = useState<GroupBy>('model');
  const [metric, setMetric] = useState<Metric>('cost');
  const range = new URLSearchParams({ from, to }).toString();
  const summary = useApi<Summary>(`/usage/summary?${range}&groupBy=${groupBy}`);
  const series = useApi<TimeSeries>(`/usage/timeseries?${range}&groupBy=${groupBy}&limit=8`);
  const t = summary.data?.totals;

  return (
    <Box sx={{ mt: 2 }}>
      <Title title="Usage" />
      <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField size="small" fullWidth={false} sx={{ width: 170 }} type="date" label="From" value={from} onChange={(e) => setFrom(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
        <TextField size="small" fullWidth={false} sx={{ width: 170 }} type="date" label="To" value={to} onChange={(e) => setTo(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
        <TextField size="small" fullWidth={false} select label="By" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)} sx={{ minWidth: 140 }}>
          {(['user', 'group', 'assistant', 'model'] as const).map((g) => (
            <MenuItem key={g} value={g}>
              {g}
            </MenuItem>
          ))}
        </TextField>
        <TextField size="small" fullWidth={false} select label="Chart" value={metric} onChange={(e) => setMetric(e.target.value as Metric)} sx={{ minWidth: 140 }}>
          {(Object.keys(metricLabels) as Metric[]).map((m) => (
            <MenuItem key={m} value={m}>
              {metricLabels[m]}
            </MenuItem>
          ))}
        </TextField>
        <Button startIcon={<DownloadIcon />} onClick={() => downloadFile(`/usage/export.csv?${range}`, `usage-${from}-to-${to}.csv`).catch((e: Error) => notify(e.message, { type: 'error' }))}>
          Export CSV
        </Button>
      </Stack>
      {summary.error && <Typography color="error">{summary.error.message}</Typography>}
      {t && (
        <Stack direction="row" spacing={2} sx={{ mb: 2 }} data-testid="usage-totals">
          {[
            ['Requests', t.requests.toLocaleString()],
            ['Tokens', t.totalTokens.toLocaleString()],
            ['Cost', formatUsd(t.cost)],
            ['Errors', t.errors.toLocaleString()],
          ].map(([label, value]) => (
            <Card key={label} sx={{ flex: 1 }}>
              <CardContent>
                <Typography variant="overline">{label}</Typography>
                <Typography variant="h5">{value}</Typography>
              </CardContent>
            </Card>
          ))}
        </Stack>
      )}
      <Stack direction={{ xs: 'column', lg: 'row' }} spacing={2} sx={{ mb: 2 }}>
        <Card sx={{ flex: 2 }}>
          <CardHeader title={`${metricLabels[metric]} per day by ${groupBy}`} />
          <CardContent>{series.data ? <UsageOverTime data={series.data} metric={metric} /> : <Typography>Loading…</Typography>}</CardContent>
        </Card>
        <Card sx={{ flex: 1 }}>
          <CardHeader title={`${metricLabels[metric]} by ${groupBy}`} />
          <CardContent>{summary.data && <UsageBars rows={summary.data.rows} metric={metric} />}</CardContent>
        </Card>
      </Stack>
      <Card>
        <Table size="small" data-testid="usage-table">
          <TableHead>
            <TableRow>
              <TableCell>{groupBy}</TableCell>
              <TableCell>Detail</TableCell>
              <TableCell align="right">Requests</TableCell>
              <TableCell align="right">Prompt tokens</TableCell>
              <TableCell align="right">Completion tokens</TableCell>
              <TableCell align="right">Cost</TableCell>
              <TableCell align="right">Errors</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {summary.data?.rows.map((r) => (
              <TableRow key={r.key ?? r.name}>
                <TableCell>{r.name}</TableCell>
                <TableCell>{r.detail}</TableCell>
                <TableCell align="right">{r.requests.toLocaleString()}</TableCell>
                <TableCell align="right">{r.promptTokens.toLocaleString()}</TableCell>
                <TableCell align="right">{r.completionTokens.toLocaleString()}</TableCell>
                <TableCell align="right">{formatUsd(r.cost)}</TableCell>
                <TableCell align="right">{r.errors}</TableCell>
              </TableRow>
            ))}
            {summary.data?.rows.length === 0 && (
              <TableRow>
                <TableCell colSpan={7}>No model calls in this range.</TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </Card>
      {summary.data && (
        <Typography variant="caption" sx={{ display: 'block', mt: 1 }}>
          Days in {summary.data.range.timeZone}, {summary.data.range.from} to {summary.data.range.to}.
        </Typography>
      )}
    </Box>
  );
}
