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

/** What a signed-in user may still use under every quota that governs them, and what they used today and this month. */
export async function myUsage(prisma: PrismaClient, userId: string, now: Date, timeZone: string): Promise<MyUsage> {
  const memberships = await prisma.groupMembership.findMany({ where: { userId }, select: { groupId: true } });
  const quotas = await prisma.quota.findMany({ where: applicableQuotas({ userId, groupIds: memberships.map((m) => m.groupId) }), orderBy: [{ scope: 'asc' }, { id: 'asc' }] });
  const [standings, names] = await Promise.all([limitStandings(prisma, quotas, now, timeZone), scopeNames(prisma, quotas)]);
  const limits = quotas.flatMap((q) =>
    (standings.get(q.id) ?? []).map((s) => ({ quotaId: q.id, scope: q.scope, scopeName: q.scopeId ? (names.get(q.scopeId)?.name ?? null) : null, ...s })),
  );
  const day = periodAt('day', now, timeZone);
  const month = periodAt('month', now, timeZone);
  const totals = async (start: Date, end: Date): Promise<OwnTotals> => {
    const [row] = await prisma.$queryRawUnsafe<{ requests: number; tokens: number; cost: number }[]>(
      `SELECT (count(*) FILTER (WHERE outcome <> 'rejected'))::int AS requests,
              coalesce(sum(prompt_tokens + completion_tokens), 0)::float8 AS tokens,
              coalesce(round(sum(cost) * 1000000), 0)::float8 AS cost
         FROM usage_logs WHERE user_id = $1::uuid AND created_at >= $2::timestamptz AND created_at < $3::timestamptz`,
      userId,
      start.toISOString(),
      end.toISOString(),
    );
    return { periodStart: start.toISOString(), resetsAt: end.toISOString(), requests: Number(row!.requests), tokens: Number(row!.tokens), cost: microsToUsd(Number(row!.cost)) };
  };
  return { timeZone, limits, today: await totals(day.start, day.end), thisMonth: await totals(month.start, month.end) };
}
