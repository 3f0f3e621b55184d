import { z } from 'zod';

const day = z.iso.date({ error: 'must be a date (YYYY-MM-DD)' });

/** Whole days in the quota time zone, inclusive; default the 30 days ending today. */
export const UsageRangeQuery = z.object({ from: day.optional(), to: day.optional() });

export const UsageSummaryQuery = UsageRangeQuery.extend({ groupBy: z.enum(['user', 'group', 'assistant', 'model']).default('user') });

export const UsageTimeSeriesQuery = UsageSummaryQuery.extend({
  interval: z.literal('day').default('day'),
  limit: z.coerce.number().int().min(1).max(100).default(10).describe('How many keys (most expensive first)'),
});

export const TopUsersQuery = UsageRangeQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) });
