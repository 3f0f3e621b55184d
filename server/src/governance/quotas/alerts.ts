import type { Prisma } from '../../db/generated/client.js';
import type { AuditLog } from '../auditLog.js';
import { fastCommit, type CounterRow } from './counterStore.js';
import { LIMITS, usedAgainst, type QuotaLimits } from './limits.js';
import { microsToUsd } from './money.js';

type Tx = Prisma.TransactionClient;

/**
 * Records an alert for every limit whose settled use has reached the quota's
 * alert threshold, once per (quota, limit, period): the unique key turns a
 * repeat into a no-op, and only a new alert is audited.
 * `counters` holds the values after the change, keyed by `${quotaId}|${period}`.
 */
export async function recordCrossedAlerts(tx: Tx, audit: AuditLog, quotas: QuotaLimits[], counters: Map<string, CounterRow>): Promise<void> {
  for (const quota of quotas) {
    for (const limit of LIMITS) {
      const limitValue = quota.limits[limit.name];
      const counter = counters.get(`${quota.id}|${limit.period}`);
      if (!limitValue || !counter) continue;
      const { used } = usedAgainst(limit.measure, counter);
      const usedPct = Math.floor((used * 100) / limitValue);
      if (usedPct < quota.alertThresholdPct) continue;
      const inserted = await tx.$queryRawUnsafe<{ id: string }[]>(
        `INSERT INTO quota_alerts (quota_id, limit_name, period_start, used_pct) VALUES ($1::uuid, $2, $3::timestamptz, $4)
         ON CONFLICT (quota_id, limit_name, period_start) DO NOTHING RETURNING id::text AS id`,
        quota.id,
        limit.name,
        counter.periodStart.toISOString(),
        Math.min(usedPct, 100_000),
      );
      if (!inserted.length) continue;
      await fastCommit(tx, false);
      const money = limit.measure === 'cost';
      await audit.record(
        {
          action: 'quota.alert',
          resource: { type: 'quota', id: quota.id },
          newValues: {
            alertId: inserted[0]!.id,
            scope: quota.scope,
            scopeId: quota.scopeId,
            limit: limit.name,
            limitValue: money ? microsToUsd(limitValue) : limitValue,
            used: money ? microsToUsd(used) : used,
            usedPct,
            thresholdPct: quota.alertThresholdPct,
            periodStart: counter.periodStart.toISOString(),
          },
        },
        tx,
      );
    }
  }
}

/** Indexes counter rows by quota and period (one period start each within a call). */
export function byQuotaPeriod(rows: Iterable<CounterRow>): Map<string, CounterRow> {
  return new Map([...rows].map((r) => [`${r.quotaId}|${r.period}`, r]));
}
