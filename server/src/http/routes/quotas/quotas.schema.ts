import { z } from 'zod';

// 0 is a valid limit: it blocks the scope outright. null removes a limit.
const count = (max: number) => z.number().int().min(0).max(max).nullable().optional();
const usd = z.number().min(0).max(99_999_999).multipleOf(0.000001).nullable().optional().describe('USD; null removes the limit');

const limits = {
  requestsPerMinute: count(1_000_000),
  requestsPerHour: count(60_000_000),
  tokensPerDay: count(Number.MAX_SAFE_INTEGER),
  tokensPerMonth: count(Number.MAX_SAFE_INTEGER),
  costPerDay: usd,
  costPerMonth: usd,
  alertThresholdPct: z.number().int().min(1).max(100).optional(),
};

export const QuotaCreateBody = z
  .object({
    scope: z.enum(['global', 'group', 'user', 'assistant']),
    scopeId: z.uuid().nullable().optional().describe('The group, user or assistant; omitted for the global quota'),
    ...limits,
  })
  .strict()
  .meta({ id: 'QuotaCreate' });

export const QuotaUpdateBody = z
  .object(limits)
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'QuotaUpdate' });

export const QuotaListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
  scope: z.enum(['global', 'group', 'user', 'assistant']).optional(),
});

export const QuotaAlertQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
  quotaId: z.uuid().optional(),
});
