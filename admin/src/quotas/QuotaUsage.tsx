import { Box, LinearProgress, Stack, Typography } from '@mui/material';
import { useRecordContext } from 'react-admin';

export interface LimitStanding {
  limit: string;
  period: string;
  limitValue: number;
  used: number;
  reserved: number;
  remaining: number;
  usedPct: number;
  resetsAt: string;
}

export const limitLabels: Record<string, string> = {
  requestsPerMinute: 'Requests / minute',
  requestsPerHour: 'Requests / hour',
  tokensPerDay: 'Tokens / day',
  tokensPerMonth: 'Tokens / month',
  costPerDay: 'Cost / day',
  costPerMonth: 'Cost / month',
};

const amount = (limit: string, n: number) => (limit.startsWith('cost') ? `$${n.toFixed(2)}` : n.toLocaleString());

/** Each limit of a quota with its current use: a bar, used (+ reserved) of the limit, and when it resets. */
export function QuotaUsage({ threshold }: { threshold?: number }) {
  const quota = useRecordContext<{ usage: LimitStanding[]; alertThresholdPct: number }>();
  if (!quota) return null;
  const alertAt = threshold ?? quota.alertThresholdPct;
  return (
    <Stack spacing={0.5} sx={{ minWidth: 260 }}>
      {quota.usage.map((u) => (
        <Box key={u.limit} data-testid={`limit-${u.limit}`}>
          <Typography variant="caption">
            {limitLabels[u.limit]}: {amount(u.limit, u.used)}
            {u.reserved ? ` (+${amount(u.limit, u.reserved)} running)` : ''} of {amount(u.limit, u.limitValue)}
          </Typography>
          <LinearProgress
            variant="determinate"
            value={Math.min(100, u.usedPct)}
            color={u.usedPct >= 100 ? 'error' : u.usedPct >= alertAt ? 'warning' : 'primary'}
            sx={{ height: 6, borderRadius: 3 }}
          />
        </Box>
      ))}
      {quota.usage.length === 0 && <Typography variant="caption">No limits set</Typography>}
    </Stack>
  );
}
