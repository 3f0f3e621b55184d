import { z } from 'zod';
import type { Quota, QuotaAlert } from '../../db/generated/client.js';
import { quotaSettings } from '../../governance/quotas/quotaAdmin.js';
import type { LimitStanding, ScopeName } from '../../governance/quotas/quotaViews.js';

const LimitName = z.enum(['requestsPerMinute', 'requestsPerHour', 'tokensPerDay', 'tokensPerMonth', 'costPerDay', 'costPerMonth']);
const Scope = z.enum(['global', 'group', 'user', 'assistant']);

export const LimitStandingView = z
  .object({
    limit: LimitName,
    period: z.enum(['minute', 'hour', 'day', 'month']),
    limitValue: z.number().describe('Requests, tokens, or USD for cost limits'),
    used: z.number(),
    reserved: z.number().describe('Estimates of calls still running'),
    remaining: z.number(),
    usedPct: z.number().int(),
    resetsAt: z.string(),
  })
  .meta({ id: 'QuotaLimitStanding' });

export const QuotaView = z
  .object({
    id: z.uuid(),
    scope: Scope,
    scopeId: z.uuid().nullable(),
    scopeName: z.string().nullable().describe('Group, user or assistant name; null for the global quota'),
    scopeDetail: z.string().nullable().describe("The user's email, for user quotas"),
    requestsPerMinute: z.number().int().nullable(),
    requestsPerHour: z.number().int().nullable(),
    tokensPerDay: z.number().int().nullable(),
    tokensPerMonth: z.number().int().nullable(),
    costPerDay: z.number().nullable().describe('USD'),
    costPerMonth: z.number().nullable().describe('USD'),
    alertThresholdPct: z.number().int(),
    usage: z.array(LimitStandingView).describe('The current period of every limit set'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Quota' });

export function presentQuota(q: Quota, name: ScopeName | undefined, usage: LimitStanding[]): z.infer<typeof QuotaView> {
  return {
    id: q.id,
    ...quotaSettings(q),
    scopeName: q.scope === 'global' ? null : (name?.name ?? null),
    scopeDetail: name?.detail ?? null,
    usage,
    createdAt: q.createdAt.toISOString(),
    updatedAt: q.updatedAt.toISOString(),
  };
}

export const QuotaAlertView = z
  .object({
    id: z.uuid(),
    quotaId: z.uuid(),
    scope: Scope,
    scopeId: z.uuid().nullable(),
    scopeName: z.string().nullable(),
    limit: LimitName,
    periodStart: z.string(),
    usedPct: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'QuotaAlert' });

export function presentQuotaAlert(a: QuotaAlert & { quota: Pick<Quota, 'scope' | 'scopeId'> }, name: ScopeName | undefined): z.infer<typeof QuotaAlertView> {
  return {
    id: a.id,
    quotaId: a.quotaId,
    scope: a.quota.scope,
    scopeId: a.quota.scopeId,
    scopeName: name?.name ?? null,
    limit: a.limitName as z.infer<typeof LimitName>,
    periodStart: a.periodStart.toISOString(),
    usedPct: a.usedPct,
    createdAt: a.createdAt.toISOString(),
  };
}
