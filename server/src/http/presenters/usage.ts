import { z } from 'zod';
import { LimitStandingView } from './quota.js';

// Response shapes of the usage reports and of a user's own usage. Costs in USD.

const Totals = {
  requests: z.number().int(),
  errors: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  totalTokens: z.number().int(),
  cost: z.number(),
};

const Range = z.object({ from: z.string(), to: z.string(), timeZone: z.string() }).meta({ id: 'UsageRange' });

export const UsageRowView = z
  .object({
    key: z.string().nullable().describe('User, group or assistant id, or model name; null when deleted'),
    name: z.string(),
    detail: z.string().nullable().describe("The user's email, or the model's provider name"),
    ...Totals,
  })
  .meta({ id: 'UsageRow' });

export const UsageSummaryView = z
  .object({ range: Range, groupBy: z.enum(['user', 'group', 'assistant', 'model']), totals: z.object(Totals), rows: z.array(UsageRowView) })
  .meta({ id: 'UsageSummary' });

export const UsageTimeSeriesView = z
  .object({
    range: Range,
    groupBy: z.enum(['user', 'group', 'assistant', 'model']),
    interval: z.literal('day'),
    dates: z.array(z.string()),
    series: z.array(
      z.object({
        key: z.string().nullable(),
        name: z.string(),
        detail: z.string().nullable(),
        points: z.array(z.object({ date: z.string(), ...Totals })),
      }),
    ),
  })
  .meta({ id: 'UsageTimeSeries' });

export const TopUsersView = z.object({ range: Range, rows: z.array(UsageRowView) }).meta({ id: 'UsageTopUsers' });

const OwnTotals = z.object({ periodStart: z.string(), resetsAt: z.string(), requests: z.number().int(), tokens: z.number().int(), cost: z.number() });

export const MyUsageView = z
  .object({
    timeZone: z.string(),
    limits: z.array(LimitStandingView.extend({ quotaId: z.uuid(), scope: z.enum(['global', 'group', 'user', 'assistant']), scopeName: z.string().nullable() })),
    today: OwnTotals,
    thisMonth: OwnTotals,
  })
  .meta({ id: 'MyUsage' });
