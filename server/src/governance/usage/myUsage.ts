import type { PrismaClient } from '../../db/database.js';
import { applicableQuotas } from '../quotas/quotaService.js';
import { limitStandings, scopeNames, type LimitStanding } from '../quotas/quotaViews.js';
import { microsToUsd } from '../quotas/money.js';
import { periodAt } from '../quotas/periods.js';

export interface OwnTotals {
  periodStart: string;
  resetsAt: string;
  requests: number;
  tokens: number;
  /** USD. */
  cost: number;
}

export interface MyUsage {
  timeZone: string;
  limits: (LimitStanding & { quotaId: string; scope: string; scopeName: string | null })[];
  today: OwnTotals;
  thisMonth: OwnTotals;
}

/**
 * What a signed-in user may still use under every quota that governs them, and what they used today and this month.
 * `groupIds` are the user's groups as authentication read them (the actor's), which saves reading them again.
 * Two round trips when no quota applies (the quotas, then both totals in one statement).
 */
export async function myUsage(prisma: PrismaClient, user: { id: string; groupIds: readonly string[] }, now: Date, timeZone: string): Promise<MyUsage> {
  const userId = user.id;
  const day = periodAt('day', now, timeZone);
  const month = periodAt('month', now, timeZone);
  const [quotas, [row]] = await Promise.all([
    prisma.quota.findMany({ where: applicableQuotas({ userId, groupIds: [...user.groupIds] }), orderBy: [{ scope: 'asc' }, { id: 'asc' }] }),
    // The month holds the day: one pass over the month's rows gives both totals.
    prisma.$queryRawUnsafe<{ dayRequests: number; dayTokens: number; dayCost: number; monthRequests: number; monthTokens: number; monthCost: number }[]>(
      `SELECT (count(*) FILTER (WHERE outcome <> 'rejected' AND created_at >= $2::timestamptz AND created_at < $3::timestamptz))::int AS "dayRequests",
              coalesce(sum(prompt_tokens + completion_tokens) FILTER (WHERE created_at >= $2::timestamptz AND created_at < $3::timestamptz), 0)::float8 AS "dayTokens",
              coalesce(round(sum(cost) FILTER (WHERE created_at >= $2::timestamptz AND created_at < $3::timestamptz) * 1000000), 0)::float8 AS "dayCost",
              (count(*) FILTER (WHERE outcome <> 'rejected'))::int AS "monthRequests",
              coalesce(sum(prompt_tokens + completion_tokens), 0)::float8 AS "monthTokens",
              coalesce(round(sum(cost) * 1000000), 0)::float8 AS "monthCost"
         FROM usage_logs WHERE user_id = $1::uuid AND created_at >= $4::timestamptz AND created_at < $5::timestamptz`,
      userId,
      day.start.toISOString(),
      day.end.toISOString(),
      month.start.toISOString(),
      month.end.toISOString(),
    ),
  ]);
  const [standings, names] = quotas.length ? await Promise.all([limitStandings(prisma, quotas, now, timeZone), scopeNames(prisma, quotas)]) : [new Map<string, LimitStanding[]>(), new Map()];
  const limits = quotas.flatMap((q) =>
    (standings.get(q.id) ?? []).map((s) => ({ quotaId: q.id, scope: q.scope, scopeName: q.scopeId ? (names.get(q.scopeId)?.name ?? null) : null, ...s })),
  );
  const totals = (period: { start: Date; end: Date }, requests: number, tokens: number, cost: number): OwnTotals => ({
    periodStart: period.start.toISOString(),
    resetsAt: period.end.toISOString(),
    requests: Number(requests),
    tokens: Number(tokens),
    cost: microsToUsd(Number(cost)),
  });
  return {
    timeZone,
    limits,
    today: totals(day, row!.dayRequests, row!.dayTokens, row!.dayCost),
    thisMonth: totals(month, row!.monthRequests, row!.monthTokens, row!.monthCost),
  };
}
