import type { PrismaClient } from '../../db/database.js';
import { keyOf, readCounters, type CounterKey } from './counterStore.js';
import { EMPTY_COUNTER, LIMITS, toQuotaLimits, usedAgainst, type CounterValues, type LimitName, type QuotaLimits, type QuotaRecord } from './limits.js';
import { microsToUsd } from './money.js';
import { PERIOD_KINDS, periodsAt, type PeriodKind } from './periods.js';

/** Where one limit stands now. Costs in USD. */
export interface LimitStanding {
  limit: LimitName;
  period: PeriodKind;
  limitValue: number;
  /** Settled use (requests count when reserved). */
  used: number;
  /** Estimates of calls still in flight. */
  reserved: number;
  remaining: number;
  usedPct: number;
  resetsAt: string;
}

/** The current period's standing of every limit each quota sets, by quota id. */
export async function limitStandings(prisma: PrismaClient, records: QuotaRecord[], now: Date, timeZone: string): Promise<Map<string, LimitStanding[]>> {
  const quotas = records.map(toQuotaLimits);
  const periods = periodsAt(now, timeZone);
  const keys: CounterKey[] = quotas.flatMap((q) => PERIOD_KINDS.map((p) => ({ quotaId: q.id, period: p, periodStart: periods[p].start })));
  const counters = await readCounters(prisma, keys);
  const byQuota = new Map<string, LimitStanding[]>();
  for (const q of quotas) {
    byQuota.set(q.id, standingsOf(q, (period) => counters.get(keyOf({ quotaId: q.id, period, periodStart: periods[period].start })), (period) => periods[period].end));
  }
  return byQuota;
}

function standingsOf(q: QuotaLimits, counterFor: (p: PeriodKind) => CounterValues | undefined, endOf: (p: PeriodKind) => Date): LimitStanding[] {
  return LIMITS.flatMap((limit) => {
    const value = q.limits[limit.name];
    if (value === null) return [];
    const { used, reserved } = usedAgainst(limit.measure, counterFor(limit.period) ?? EMPTY_COUNTER);
    const money = limit.measure === 'cost' ? microsToUsd : (n: number) => n;
    return [
      {
        limit: limit.name,
        period: limit.period,
        limitValue: money(value),
        used: money(used),
        reserved: money(reserved),
        remaining: money(Math.max(0, value - used - reserved)),
        usedPct: value > 0 ? Math.floor(((used + reserved) * 100) / value) : 100,
        resetsAt: endOf(limit.period).toISOString(),
      },
    ];
  });
}

export interface ScopeName {
  name: string;
  /** The user's email, for user quotas. */
  detail?: string;
}

/** Display names of the groups, users and assistants the quotas apply to, by scope id. */
export async function scopeNames(prisma: PrismaClient, quotas: { scope: string; scopeId: string | null }[]): Promise<Map<string, ScopeName>> {
  const ids = (scope: string) => quotas.filter((q) => q.scope === scope && q.scopeId).map((q) => q.scopeId!);
  const [groups, users, assistants] = await Promise.all([
    prisma.group.findMany({ where: { id: { in: ids('group') } }, select: { id: true, name: true } }),
    prisma.user.findMany({ where: { id: { in: ids('user') } }, select: { id: true, name: true, email: true } }),
    prisma.assistant.findMany({ where: { id: { in: ids('assistant') } }, select: { id: true, name: true } }),
  ]);
  return new Map<string, ScopeName>([
    ...groups.map((g) => [g.id, { name: g.name }] as const),
    ...users.map((u) => [u.id, { name: u.name, detail: u.email }] as const),
    ...assistants.map((a) => [a.id, { name: a.name }] as const),
  ]);
}
