import type { Database } from '../../db/database.js';
import { Prisma } from '../../db/generated/client.js';
import { toQuotaLimits, type CounterValues, type QuotaLimits, type QuotaRecord } from './limits.js';
import type { PeriodKind } from './periods.js';

// SQL over quota_counters. Every writer takes its locks in one global order,
// which is what keeps concurrent reservations free of deadlocks:
//   1. quota rows, by id, FOR KEY SHARE (a quota being deleted, which takes
//      FOR UPDATE first, waits for the calls in flight and blocks new ones);
//   2. counter rows, by (quota id, period, period start);
//   3. alert rows, then the audit log's advisory lock.

type Tx = Prisma.TransactionClient;

export interface CounterKey {
  quotaId: string;
  period: PeriodKind;
  periodStart: Date;
}

export interface CounterRow extends CounterKey, CounterValues {
  auditedBreaches: string[];
}

/**
 * Counter updates commit without waiting for the WAL flush: if the database
 * server crashes, the last moments of reservations may be forgotten, which
 * only errs in the user's favour, while every call saves a disk sync (several
 * milliseconds before the first token). Locks and visibility are unchanged.
 * Transactions that write an audit entry switch back to a durable commit.
 */
export async function fastCommit(tx: Tx, fast = true): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT set_config('synchronous_commit', $1, true)`, fast ? 'off' : 'on');
}

export const keyOf = (k: CounterKey) => `${k.quotaId}|${k.period}|${k.periodStart.toISOString()}`;

/** The one lock order (uuid text order = Postgres uuid order; period names are ASCII). */
export function sortKeys<K extends CounterKey>(keys: K[]): K[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...keys].sort((a, b) => cmp(a.quotaId, b.quotaId) || cmp(a.period, b.period) || a.periodStart.getTime() - b.periodStart.getTime());
}

const keysJson = (keys: CounterKey[]) =>
  JSON.stringify(sortKeys(keys).map((k, ord) => ({ quota_id: k.quotaId, period: k.period, period_start: k.periodStart.toISOString(), ord })));

/** The columns of a counter row as CounterRow, cost in micro-dollars; `t` is the table alias or name. */
const counterColumns = (t: string) => `${t}.quota_id::text AS "quotaId", ${t}.period, ${t}.period_start AS "periodStart", ${t}.requests,
  ${t}.tokens::float8 AS tokens, round(${t}.cost * 1000000)::float8 AS cost,
  ${t}.reserved_tokens::float8 AS "reservedTokens", round(${t}.reserved_cost * 1000000)::float8 AS "reservedCost",
  ${t}.audited_breaches AS "auditedBreaches"`;

const KEYS = `jsonb_to_recordset($1::jsonb) AS k(quota_id uuid, period text, period_start timestamptz, ord int)`;

const QUOTA_COLUMNS = `q.id::text AS id, q.scope::text AS scope, q.scope_id::text AS "scopeId",
  q.requests_per_minute AS "requestsPerMinute", q.requests_per_hour AS "requestsPerHour",
  q.tokens_per_day::float8 AS "tokensPerDay", q.tokens_per_month::float8 AS "tokensPerMonth",
  q.cost_per_day::text AS "costPerDay", q.cost_per_month::text AS "costPerMonth", q.alert_threshold_pct AS "alertThresholdPct"`;

/** Locks the quota rows (sorted) so a deletion cannot interleave; returns those that still exist. */
export async function lockQuotas(tx: Tx, quotaIds: string[]): Promise<QuotaLimits[]> {
  if (!quotaIds.length) return [];
  const rows = await tx.$queryRawUnsafe<QuotaRecord[]>(
    `SELECT ${QUOTA_COLUMNS} FROM quotas q WHERE q.id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)
      ORDER BY q.id FOR KEY SHARE OF q`,
    JSON.stringify([...new Set(quotaIds)]),
  );
  return rows.map(toQuotaLimits);
}

/**
 * The quotas that govern a call, as a condition on `quotas q`: global, the
 * user's groups', the user's, the assistant's. `assistantId` may be a column
 * of the statement it goes in (the first read of a question, turnToAnswerIn).
 */
export function applicableQuotasSql(subject: { userId: string; groupIds: string[]; assistantId: string | null | Prisma.Sql }): Prisma.Sql {
  const assistantId = subject.assistantId instanceof Prisma.Sql ? subject.assistantId : Prisma.sql`${subject.assistantId ?? null}::uuid`;
  return Prisma.sql`(q.scope = 'global'
         OR (q.scope = 'group' AND q.scope_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(subject.groupIds)}::jsonb)::uuid))
         OR (q.scope = 'user' AND q.scope_id = ${subject.userId}::uuid)
         OR (q.scope = 'assistant' AND q.scope_id = ${assistantId}))`;
}

/**
 * Whether any quota governs the subject: one read outside a transaction, so
 * a call nobody limits (the default install) costs one round trip, not four.
 */
export async function anyApplicableQuota(db: Pick<Database, 'query'>, subject: { userId: string; groupIds: string[]; assistantId: string | null }): Promise<boolean> {
  const read = Prisma.sql`SELECT 1 FROM quotas q WHERE ${applicableQuotasSql(subject)} LIMIT 1`;
  const rows = await db.query(read.text, read.values);
  return rows.length > 0;
}

/** Locks and reads the quotas that govern a call. */
export async function lockApplicableQuotas(tx: Tx, subject: { userId: string; groupIds: string[]; assistantId: string | null }): Promise<QuotaLimits[]> {
  const rows = await tx.$queryRaw<QuotaRecord[]>(Prisma.sql`SELECT ${Prisma.raw(QUOTA_COLUMNS)} FROM quotas q
      WHERE ${applicableQuotasSql(subject)}
      ORDER BY q.id FOR KEY SHARE OF q`);
  return rows.map(toQuotaLimits);
}

/** Creates missing counter rows and locks all of them, in the global order; returns their values. */
export async function upsertAndLockCounters(tx: Tx, keys: CounterKey[]): Promise<Map<string, CounterRow>> {
  if (!keys.length) return new Map();
  const rows = await tx.$queryRawUnsafe<CounterRow[]>(
    `INSERT INTO quota_counters (quota_id, period, period_start, updated_at)
     SELECT k.quota_id, k.period, k.period_start, now() FROM ${KEYS} ORDER BY k.ord
     ON CONFLICT (quota_id, period, period_start) DO UPDATE SET updated_at = now()
     RETURNING ${counterColumns('quota_counters')}`,
    keysJson(keys),
  );
  return byKey(rows);
}

/** Locks existing counter rows in the global order (rows of a deleted quota are simply absent). */
export const lockCounters = (tx: Tx, keys: CounterKey[]) => selectCounters(tx, keys, true);

/** Current values without locking (for views); missing rows read as zero. */
export const readCounters = (db: Tx, keys: CounterKey[]) => selectCounters(db, keys, false);

async function selectCounters(db: Tx, keys: CounterKey[], lock: boolean): Promise<Map<string, CounterRow>> {
  if (!keys.length) return new Map();
  const rows = await db.$queryRawUnsafe<CounterRow[]>(
    `SELECT ${counterColumns('c')}
       FROM quota_counters c JOIN ${KEYS} ON c.quota_id = k.quota_id AND c.period = k.period AND c.period_start = k.period_start
       ${lock ? 'ORDER BY c.quota_id, c.period COLLATE "C", c.period_start FOR UPDATE OF c' : ''}`,
    keysJson(keys),
  );
  return byKey(rows);
}

export interface CounterDelta {
  requests?: number;
  tokens?: number;
  cost?: number;
  reservedTokens?: number;
  reservedCost?: number;
}

/** Adds each key's delta to counter rows the caller has locked. Nothing goes below zero. */
export async function adjustCounters(tx: Tx, changes: { key: CounterKey; delta: CounterDelta }[]): Promise<void> {
  if (!changes.length) return;
  const int = (v: number | undefined) => Math.trunc(v ?? 0);
  const rows = changes.map(({ key, delta }) => ({
    quota_id: key.quotaId,
    period: key.period,
    period_start: key.periodStart.toISOString(),
    requests: int(delta.requests),
    tokens: int(delta.tokens),
    cost: int(delta.cost),
    reserved_tokens: int(delta.reservedTokens),
    reserved_cost: int(delta.reservedCost),
  }));
  await tx.$executeRawUnsafe(
    `UPDATE quota_counters c SET
        requests = greatest(c.requests + d.requests, 0),
        tokens = greatest(c.tokens + d.tokens, 0),
        cost = greatest(c.cost + d.cost::numeric / 1000000, 0),
        reserved_tokens = greatest(c.reserved_tokens + d.reserved_tokens, 0),
        reserved_cost = greatest(c.reserved_cost + d.reserved_cost::numeric / 1000000, 0),
        updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS d(quota_id uuid, period text, period_start timestamptz,
              requests int, tokens bigint, cost bigint, reserved_tokens bigint, reserved_cost bigint)
      WHERE c.quota_id = d.quota_id AND c.period = d.period AND c.period_start = d.period_start`,
    JSON.stringify(rows),
  );
}

export const sameDelta = (keys: CounterKey[], delta: CounterDelta) => keys.map((key) => ({ key, delta }));

/** Adds a reservation's estimate to its (locked) counters and stores the reservation, in one statement. */
export async function holdReservation(tx: Tx, keys: CounterKey[], estimate: { tokens: number; cost: number }, createdAt: Date): Promise<string> {
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `WITH charged AS (
       UPDATE quota_counters c SET requests = c.requests + 1, reserved_tokens = c.reserved_tokens + $2::bigint,
              reserved_cost = c.reserved_cost + $3::numeric / 1000000, updated_at = now()
         FROM ${KEYS}
        WHERE c.quota_id = k.quota_id AND c.period = k.period AND c.period_start = k.period_start)
     INSERT INTO quota_reservations (tokens, cost, counters, created_at)
     VALUES ($2::bigint, $3::numeric / 1000000, $4::jsonb, $5::timestamptz) RETURNING id::text AS id`,
    keysJson(keys),
    Math.trunc(estimate.tokens),
    Math.trunc(estimate.cost),
    JSON.stringify(keys.map((k) => ({ quotaId: k.quotaId, period: k.period, periodStart: k.periodStart.toISOString() }))),
    createdAt.toISOString(),
  );
  return rows[0]!.id;
}

/** Marks a limit's breach as audited for this period; true only for the first caller. */
export async function markBreachAudited(tx: Tx, key: CounterKey, limitName: string): Promise<boolean> {
  const changed = await tx.$executeRawUnsafe(
    `UPDATE quota_counters SET audited_breaches = array_append(audited_breaches, $4)
      WHERE quota_id = $1::uuid AND period = $2 AND period_start = $3::timestamptz AND NOT ($4 = ANY(audited_breaches))`,
    key.quotaId,
    key.period,
    key.periodStart.toISOString(),
    limitName,
  );
  return changed > 0;
}

function byKey(rows: CounterRow[]): Map<string, CounterRow> {
  return new Map(
    rows.map((r) => {
      const row: CounterRow = {
        ...r,
        periodStart: new Date(r.periodStart),
        requests: Number(r.requests),
        tokens: Number(r.tokens),
        cost: Number(r.cost),
        reservedTokens: Number(r.reservedTokens),
        reservedCost: Number(r.reservedCost),
      };
      return [keyOf(row), row];
    }),
  );
}
