import type { Database, PrismaClient } from '../../db/database.js';
import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import type { AuditLog } from '../auditLog.js';
import { byQuotaPeriod, recordCrossedAlerts } from './alerts.js';
import {
  adjustCounters,
  fastCommit,
  holdReservation,
  keyOf,
  lockApplicableQuotas,
  lockCounters,
  anyApplicableQuota,
  lockQuotas,
  markBreachAudited,
  sameDelta,
  sortKeys,
  upsertAndLockCounters,
  type CounterDelta,
  type CounterKey,
  type CounterRow,
} from './counterStore.js';
import { LIMITS, admits, usedAgainst, type LimitDefinition, type QuotaLimits } from './limits.js';
import { microsToUsd, usdToMicros } from './money.js';
import { PERIOD_KINDS, periodsAt, type PeriodKind } from './periods.js';

type Tx = Prisma.TransactionClient;

export interface QuotaSubject {
  userId: string;
  groupIds: string[];
  /** Null for calls made without an assistant (raw models, embeddings through the API). */
  assistantId: string | null;
  /** The personal access token the call came with, named on the `quota.exceeded` entry. */
  token?: { id: string; name: string };
}

/** Cost in USD (the price table's currency). */
export interface UsageAmount {
  tokens: number;
  cost: number;
}

export interface QuotaReservation {
  /** False when no quota governs the call: settle and release have nothing to do. */
  readonly held: boolean;
  /** Replace the estimate with the real usage (counters, alerts). Idempotent; no-op after release. */
  settle(actual: UsageAmount): Promise<void>;
  /** Undo the estimate and the request count (the call failed upstream or was rejected before any token). Idempotent. */
  release(): Promise<void>;
}

export interface QuotaExceededDetails {
  scope: QuotaLimits['scope'];
  scopeId: string | null;
  limit: LimitDefinition['name'];
  limitValue: number;
  used: number;
  remaining: number;
  resetsAt: string;
}

export interface QuotaServiceOptions {
  timeZone: string;
  /** A reservation older than this belongs to a call whose process died; the sweep releases it. */
  reservationTtlMs: number;
  /** How often reserve() runs the sweep in this process. */
  sweepIntervalMs?: number;
  /** The clock; tests move it. */
  now?: () => Date;
}

// Long enough for many calls racing on one counter row behind each other.
const TX_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

/** Quotas that govern a call: the global one, each of the user's groups', the user's and the assistant's. */
export function applicableQuotas(subject: { userId: string; groupIds: string[]; assistantId?: string | null }): Prisma.QuotaWhereInput {
  return {
    OR: [
      { scope: 'global' },
      { scope: 'group', scopeId: { in: subject.groupIds } },
      { scope: 'user', scopeId: subject.userId },
      ...(subject.assistantId ? [{ scope: 'assistant' as const, scopeId: subject.assistantId }] : []),
    ],
  };
}

const NO_QUOTA: QuotaReservation = { held: false, settle: async () => undefined, release: async () => undefined };

/**
 * Reserve before a model call, settle or release after it. A reservation adds
 * one request and the call's estimate (tokens, cost) to the counters of every
 * applicable quota for the current minute, hour, day and month, inside one
 * transaction that holds the counter rows locked: all limits pass or nothing
 * is taken, and racing calls see each other's reservations.
 */
export class QuotaService {
  private lastSweep = 0;
  private readonly now: () => Date;
  private readonly prisma: PrismaClient;

  constructor(
    private readonly db: Pick<Database, 'prisma' | 'query'>,
    private readonly audit: AuditLog,
    readonly options: QuotaServiceOptions,
  ) {
    this.prisma = db.prisma;
    this.now = options.now ?? (() => new Date());
  }

  get timeZone(): string {
    return this.options.timeZone;
  }

  currentTime(): Date {
    return this.now();
  }

  /**
   * Whether any quota governs the subject's calls. The answer path asks early,
   * beside retrieval, and hands the answer to reserve(); a quota created in
   * between simply starts with the next call. `alreadyRead` is the answer
   * when a question's first read asked it (applicableQuotasSql): the sweep
   * still runs on its schedule.
   */
  async applies(subject: QuotaSubject, alreadyRead?: boolean): Promise<boolean> {
    await this.sweepIfDue();
    return alreadyRead ?? anyApplicableQuota(this.db, subject);
  }

  /** Throws AppError('quota_exceeded') naming the first limit that has nothing left. `applies` is applies(subject) when already asked. */
  async reserve(subject: QuotaSubject, estimate: UsageAmount, applies: Promise<boolean> = this.applies(subject)): Promise<QuotaReservation> {
    const tokens = Math.max(0, Math.ceil(estimate.tokens));
    const cost = Math.max(0, usdToMicros(estimate.cost));
    if (!(await applies)) return NO_QUOTA;
    const outcome = await this.prisma.$transaction(async (tx) => {
      await fastCommit(tx);
      const quotas = await lockApplicableQuotas(tx, subject);
      if (!quotas.length) return { kind: 'none' as const };
      const now = this.now();
      const periods = periodsAt(now, this.timeZone);
      const keys = sortKeys(quotas.flatMap((q) => PERIOD_KINDS.map((p) => ({ quotaId: q.id, period: p, periodStart: periods[p].start }))));
      const counters = byQuotaPeriod((await upsertAndLockCounters(tx, keys)).values());

      const refusal = firstRefusal(quotas, counters);
      if (refusal) {
        const { quota, limit, counter } = refusal;
        const details = exceededDetails(quota, limit, counter, periods[limit.period].end);
        if (await markBreachAudited(tx, counter, limit.name)) {
          await fastCommit(tx, false);
          await this.audit.record(
            { actor: { id: subject.userId, token: subject.token }, action: 'quota.exceeded', resource: { type: 'quota', id: quota.id }, newValues: { ...details, assistantId: subject.assistantId, periodStart: counter.periodStart.toISOString() } },
            tx,
          );
        }
        return { kind: 'refused' as const, details, label: limit.label };
      }

      const id = await holdReservation(tx, keys, { tokens, cost }, now);
      // Request limits count at reservation, so their alerts are checked now; tokens and cost at settlement.
      await recordCrossedAlerts(tx, this.audit, quotas, applied(counters, { requests: 1, reservedTokens: tokens, reservedCost: cost }));
      return { kind: 'held' as const, id, keys };
    }, TX_OPTIONS);

    if (outcome.kind === 'none') return NO_QUOTA;
    if (outcome.kind === 'refused') {
      const d = outcome.details;
      throw new AppError('quota_exceeded', `Quota exceeded: ${scopeLabel(d.scope)} limit on ${outcome.label} (${d.limitValue}) is used up; ${d.remaining} left, resets at ${d.resetsAt}`, d);
    }
    return new HeldReservation(this, outcome.id, outcome.keys, tokens, cost);
  }

  /** Hands back the estimates of reservations older than the TTL (their calls never finished). Returns how many. */
  async sweepExpired(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - this.options.reservationTtlMs);
    return this.prisma.$transaction(async (tx) => {
      const expired = await tx.$queryRawUnsafe<{ tokens: number; cost: number; counters: { quotaId: string; period: PeriodKind; periodStart: string }[] }[]>(
        `DELETE FROM quota_reservations WHERE id IN (
           SELECT id FROM quota_reservations WHERE created_at < $1::timestamptz ORDER BY created_at LIMIT 500 FOR UPDATE SKIP LOCKED)
         RETURNING tokens::float8 AS tokens, round(cost * 1000000)::float8 AS cost, counters`,
        cutoff.toISOString(),
      );
      const release = new Map<string, { key: CounterKey; delta: Required<Pick<CounterDelta, 'reservedTokens' | 'reservedCost'>> }>();
      for (const r of expired) {
        for (const k of r.counters) {
          const key: CounterKey = { quotaId: k.quotaId, period: k.period, periodStart: new Date(k.periodStart) };
          const entry = release.get(keyOf(key)) ?? { key, delta: { reservedTokens: 0, reservedCost: 0 } };
          entry.delta.reservedTokens -= Number(r.tokens);
          entry.delta.reservedCost -= Number(r.cost);
          release.set(keyOf(key), entry);
        }
      }
      const changes = sortKeys([...release.values()].map((e) => ({ ...e.key, e }))).map(({ e }) => e);
      await lockQuotas(tx, changes.map((c) => c.key.quotaId));
      await lockCounters(tx, changes.map((c) => c.key));
      await adjustCounters(tx, changes);
      // Minute and hour windows are never read again once past; keep the table small.
      await tx.$executeRawUnsafe(
        `DELETE FROM quota_counters WHERE period IN ('minute', 'hour') AND period_start < $1::timestamptz - interval '2 days'`,
        this.now().toISOString(),
      );
      return expired.length;
    }, TX_OPTIONS);
  }

  /** Runs the sweep at most once per interval in this process. */
  async sweepIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < (this.options.sweepIntervalMs ?? 60_000)) return;
    this.lastSweep = now;
    await this.sweepExpired();
  }

  /** @internal Finishes a reservation: its row is deleted by whichever of settle, release or the sweep comes first. */
  async finish(id: string, keys: CounterKey[], change: (held: boolean) => CounterDelta, alerts: boolean): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await fastCommit(tx);
      const held = (await tx.$executeRawUnsafe(`DELETE FROM quota_reservations WHERE id = $1::uuid`, id)) > 0;
      const quotas = await lockQuotas(tx, keys.map((k) => k.quotaId));
      const counters = await lockCounters(tx, keys);
      const delta = change(held);
      await adjustCounters(tx, sameDelta(keys, delta));
      if (alerts) await recordCrossedAlerts(tx, this.audit, quotas, applied(byQuotaPeriod(counters.values()), delta));
    }, TX_OPTIONS);
  }

}

class HeldReservation implements QuotaReservation {
  readonly held = true;
  private finished = false;

  constructor(
    private readonly service: QuotaService,
    private readonly id: string,
    private readonly keys: CounterKey[],
    private readonly tokens: number,
    private readonly cost: number,
  ) {}

  async settle(actual: UsageAmount): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const tokens = Math.max(0, Math.round(actual.tokens));
    const cost = Math.max(0, usdToMicros(actual.cost));
    // If the sweep already handed the estimate back, only the real use is added.
    await this.service.finish(this.id, this.keys, (held) => ({ tokens, cost, ...(held ? { reservedTokens: -this.tokens, reservedCost: -this.cost } : {}) }), true);
  }

  async release(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.service.finish(this.id, this.keys, (held) => ({ requests: -1, ...(held ? { reservedTokens: -this.tokens, reservedCost: -this.cost } : {}) }), false);
  }
}

function firstRefusal(quotas: QuotaLimits[], counters: Map<string, CounterRow>) {
  for (const quota of quotas) {
    for (const limit of LIMITS) {
      const value = quota.limits[limit.name];
      const counter = counters.get(`${quota.id}|${limit.period}`);
      if (value === null || !counter) continue;
      if (!admits(limit.measure, value, counter)) return { quota, limit, counter };
    }
  }
  return undefined;
}

function exceededDetails(quota: QuotaLimits, limit: LimitDefinition, counter: CounterRow, resetsAt: Date): QuotaExceededDetails {
  const value = quota.limits[limit.name]!;
  const { used, reserved } = usedAgainst(limit.measure, counter);
  const money = limit.measure === 'cost' ? microsToUsd : (n: number) => n;
  return {
    scope: quota.scope,
    scopeId: quota.scopeId,
    limit: limit.name,
    limitValue: money(value),
    used: money(used + reserved),
    remaining: money(Math.max(0, value - used - reserved)),
    resetsAt: resetsAt.toISOString(),
  };
}

function scopeLabel(scope: QuotaLimits['scope']): string {
  return { global: 'the global', group: 'your group’s', user: 'your', assistant: 'this assistant’s' }[scope];
}

/** Counter values after a delta, for the alert check (no second read). */
function applied(counters: Map<string, CounterRow>, d: CounterDelta): Map<string, CounterRow> {
  const clamp = (v: number) => Math.max(0, v);
  return new Map(
    [...counters].map(([k, c]) => [
      k,
      {
        ...c,
        requests: clamp(c.requests + (d.requests ?? 0)),
        tokens: clamp(c.tokens + (d.tokens ?? 0)),
        cost: clamp(c.cost + (d.cost ?? 0)),
        reservedTokens: clamp(c.reservedTokens + (d.reservedTokens ?? 0)),
        reservedCost: clamp(c.reservedCost + (d.reservedCost ?? 0)),
      },
    ]),
  );
}

