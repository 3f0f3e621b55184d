import { Card, CardContent, CardHeader, List, ListItem, ListItemText, Stack, Typography } from '@mui/material';
import { Title, useGetIdentity } from 'react-admin';
import { Link } from 'react-router-dom';
import { formatUsd } from '../common/choices';
import { useApi } from '../common/useApi';
import { limitLabels, type LimitStanding } from '../quotas/QuotaUsage';
import { getAbilities } from '../session';
import { type TimeSeries, type Totals, type UsageRow, TotalsOverTime, UsageBars } from '../usage/charts';
import { StatCard } from './StatCard';
import { SetupChecklist } from '../setup/SetupChecklist';
import { useIngestionQueue } from './useIngestionQueue';

interface Summary {
  totals: Totals;
  rows: UsageRow[];
}

interface Alert {
  id: string;
  scope: string;
  scopeName: string | null;
  limit: string;
  usedPct: number;
  createdAt: string;
}

/** The day after which a month starts, from the server's own "today" (days are in the quota time zone). */
const monthStart = (day: string) => `${day.slice(0, 8)}01`;

export function Dashboard() {
  const { identity } = useGetIdentity();
  const can = getAbilities();
  // The default range is the 30 days ending today in the server's time zone.
  const series = useApi<TimeSeries & { range: { to: string } }>(can['usage.report'] ? '/usage/timeseries?groupBy=model&limit=8' : null);
  const today = series.data?.range.to;
  const todays = useApi<Summary>(today ? `/usage/summary?from=${today}&to=${today}&groupBy=model` : null);
  const month = useApi<Summary>(today ? `/usage/summary?from=${monthStart(today)}&to=${today}&groupBy=model` : null);
  const activeUsers = useApi<{ total: number }>(can['user.list'] ? '/users?active=true&pageSize=1' : null);
  const globalQuota = useApi<{ data: { usage: LimitStanding[] }[] }>(can['quota.manage'] ? '/quotas?scope=global' : null);
  const alerts = useApi<{ data: Alert[] }>(can['quota.manage'] ? '/quota-alerts?pageSize=5' : null);
  const queue = useIngestionQueue();

  const monthlyCap = globalQuota.data?.data[0]?.usage.find((u) => u.limit === 'costPerMonth');
  const monthCost = month.data?.totals.cost ?? 0;

  return (
    <Stack spacing={2} sx={{ mt: 2 }}>
      <Title title="Dashboard" />
      <Typography variant="h5">{identity?.fullName ? `Welcome, ${identity.fullName}` : 'Welcome'}</Typography>
      {/* First run: the setup checklist, until every step is done. */}
      {can['settings.manage'] && <SetupChecklist />}
      <Stack direction="row" spacing={2} sx={{ flexWrap: 'wrap', rowGap: 2 }}>
        {can['user.list'] && <StatCard testId="stat-active-users" label="Active users" value={activeUsers.data?.total ?? '…'} />}
        {can['usage.report'] && (
          <StatCard testId="stat-today" label="Messages today" value={todays.data?.totals.requests.toLocaleString() ?? '…'} detail={`${todays.data?.totals.totalTokens.toLocaleString() ?? '…'} tokens`} />
        )}
        {can['usage.report'] && (
          <StatCard
            testId="stat-month-cost"
            label="Cost this month"
            value={formatUsd(monthCost)}
            progress={monthlyCap ? monthlyCap.usedPct : undefined}
            detail={monthlyCap ? `of ${formatUsd(monthlyCap.limitValue)} global monthly quota` : 'No global monthly cost quota'}
          />
        )}
        <StatCard
          testId="stat-ingestion"
          label="Ingestion queue"
          value={queue ? queue.working.length : '…'}
          detail={queue ? `${queue.failed} failed file${queue.failed === 1 ? '' : 's'}` : undefined}
        />
      </Stack>
      {can['usage.report'] && (
        <Stack direction={{ xs: 'column', lg: 'row' }} spacing={2}>
          <Card sx={{ flex: 2 }}>
            <CardHeader title="Tokens and cost per day (30 days)" />
            <CardContent>{series.data ? <TotalsOverTime data={series.data} /> : <Typography>Loading…</Typography>}</CardContent>
          </Card>
          <Card sx={{ flex: 1 }}>
            <CardHeader title="Cost by model this month" />
            <CardContent>{month.data && <UsageBars rows={month.data.rows} metric="cost" height={240} />}</CardContent>
          </Card>
        </Stack>
      )}
      <Stack direction={{ xs: 'column', lg: 'row' }} spacing={2}>
        {queue && queue.working.length > 0 && (
          <Card sx={{ flex: 1 }}>
            <CardHeader title="Files being processed" />
            <List dense>
              {queue.working.slice(0, 8).map((f) => (
                <ListItem key={f.id} component={Link} to={`/knowledge-bases/${f.knowledgeBaseId}`}>
                  <ListItemText primary={f.name} secondary={`${f.status} · ${f.progress}%`} />
                </ListItem>
              ))}
            </List>
          </Card>
        )}
        {can['quota.manage'] && (
          <Card sx={{ flex: 1 }} data-testid="recent-alerts">
            <CardHeader title="Recent quota alerts" />
            <List dense>
              {alerts.data?.data.map((a) => (
                <ListItem key={a.id}>
                  <ListItemText
                    primary={`${a.scope === 'global' ? 'Global' : a.scopeName ?? a.scope}: ${limitLabels[a.limit] ?? a.limit} at ${a.usedPct}%`}
                    secondary={new Date(a.createdAt).toLocaleString()}
                  />
                </ListItem>
              ))}
              {alerts.data?.data.length === 0 && (
                <ListItem>
                  <ListItemText primary="No alerts" />
                </ListItem>
              )}
            </List>
          </Card>
        )}
      </Stack>
    </Stack>
  );
}
