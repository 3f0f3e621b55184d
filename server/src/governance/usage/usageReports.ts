import type { PrismaClient } from '../../db/database.js';
import { microsToUsd } from '../quotas/money.js';
import { daysOf, type UsageRange } from './usageRange.js';

/** A report's days, and whose calls it may include: null for all, else calls by members of these groups. */
export type UsageFilter = UsageRange & { groupIds: string[] | null };

// Totals and daily series over usage_logs, grouped by user, group (a call
// counts for every group its user belonged to at the time), assistant or model.

export type UsageDimension = 'user' | 'group' | 'assistant' | 'model';

export interface UsageTotals {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** USD. */
  cost: number;
}

export interface UsageRow extends UsageTotals {
  /** The user, group or assistant id, or the model name; null when the record was deleted. */
  key: string | null;
  name: string;
  detail: string | null;
}

export interface UsageSeries {
  key: string | null;
  name: string;
  detail: string | null;
  points: ({ date: string } & UsageTotals)[];
}

// Fixed SQL per dimension; nothing from the request is interpolated.
const DIMENSIONS: Record<UsageDimension, { key: string; from: string; where?: string }> = {
  user: { key: 'l.user_id::text', from: 'usage_logs l' },
  // A scoped reader sees only their own groups' rows.
  group: { key: 'g.id::text', from: 'usage_logs l CROSS JOIN LATERAL unnest(l.group_ids) AS g(id)', where: `($3::jsonb IS NULL OR g.id IN (SELECT jsonb_array_elements_text($3::jsonb)::uuid))` },
  assistant: { key: 'l.assistant_id::text', from: 'usage_logs l' },
  model: { key: 'l.model_name', from: 'usage_logs l' },
};

/** $1..$3: the range and the group scope, first in every query. */
const FILTER = `l.created_at >= $1::timestamptz AND l.created_at < $2::timestamptz
  AND ($3::jsonb IS NULL OR l.group_ids && ARRAY(SELECT jsonb_array_elements_text($3::jsonb)::uuid))`;
const whereOf = (by?: UsageDimension) => [FILTER, by && DIMENSIONS[by].where].filter(Boolean).join(' AND ');
const filterParams = (f: UsageFilter) => [f.start.toISOString(), f.end.toISOString(), f.groupIds === null ? null : JSON.stringify(f.groupIds)];

const AGGREGATES = `count(*)::int AS requests, (count(*) FILTER (WHERE l.outcome = 'error'))::int AS errors,
  coalesce(sum(l.prompt_tokens), 0)::float8 AS "promptTokens", coalesce(sum(l.completion_tokens), 0)::float8 AS "completionTokens",
  coalesce(round(sum(l.cost) * 1000000), 0)::float8 AS cost`;

type AggregateRow = { key: string | null; requests: number; errors: number; promptTokens: number; completionTokens: number; cost: number };

const totalsOf = (r: Omit<AggregateRow, 'key'>): UsageTotals => ({
  requests: Number(r.requests),
  errors: Number(r.errors),
  promptTokens: Number(r.promptTokens),
  completionTokens: Number(r.completionTokens),
  totalTokens: Number(r.promptTokens) + Number(r.completionTokens),
  cost: microsToUsd(Number(r.cost)),
});

export class UsageReports {
  constructor(private readonly prisma: PrismaClient) {}

  /** Totals per key, most expensive first. */
  async summary(filter: UsageFilter, by: UsageDimension, limit?: number): Promise<UsageRow[]> {
    const d = DIMENSIONS[by];
    const rows = await this.prisma.$queryRawUnsafe<AggregateRow[]>(
      `SELECT ${d.key} AS key, ${AGGREGATES} FROM ${d.from} WHERE ${whereOf(by)}
        GROUP BY 1 ORDER BY cost DESC, sum(l.prompt_tokens + l.completion_tokens) DESC, key LIMIT $4::int`,
      ...filterParams(filter),
      limit ?? null,
    );
    const names = await this.names(by, rows.map((r) => r.key));
    return rows.map((r) => ({ key: r.key, ...nameOf(names, r.key, by), ...totalsOf(r) }));
  }

  /** Grand totals over the range. */
  async totals(filter: UsageFilter): Promise<UsageTotals> {
    const [row] = await this.prisma.$queryRawUnsafe<AggregateRow[]>(`SELECT ${AGGREGATES} FROM usage_logs l WHERE ${whereOf()}`, ...filterParams(filter));
    return totalsOf(row!);
  }

  /** One point per day of the range (zero-filled) for each of the `limit` most expensive keys. */
  async timeSeries(filter: UsageFilter, by: UsageDimension, limit: number): Promise<{ dates: string[]; series: UsageSeries[] }> {
    const top = await this.summary(filter, by, limit);
    const d = DIMENSIONS[by];
    const rows = await this.prisma.$queryRawUnsafe<(AggregateRow & { date: string })[]>(
      `SELECT ${d.key} AS key, to_char(l.created_at AT TIME ZONE $4, 'YYYY-MM-DD') AS date, ${AGGREGATES}
         FROM ${d.from}
        WHERE ${whereOf(by)}
          -- '' stands for a deleted user, group or assistant (a null key).
          AND coalesce(${d.key}, '') IN (SELECT coalesce(value #>> '{}', '') FROM jsonb_array_elements($5::jsonb))
        GROUP BY 1, 2`,
      ...filterParams(filter),
      filter.timeZone,
      JSON.stringify(top.map((t) => t.key)),
    );
    const found = new Map(rows.map((r) => [`${r.key}|${r.date}`, r]));
    const dates = daysOf(filter);
    const zero = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
    const series = top.map((t) => ({
      key: t.key,
      name: t.name,
      detail: t.detail,
      points: dates.map((date) => ({ date, ...totalsOf(found.get(`${t.key}|${date}`) ?? zero) })),
    }));
    return { dates, series };
  }

  private async names(by: UsageDimension, keys: (string | null)[]): Promise<Map<string, { name: string; detail: string | null }>> {
    const ids = keys.filter((k): k is string => k !== null);
    if (by === 'user') {
      const users = await this.prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } });
      return new Map(users.map((u) => [u.id, { name: u.name, detail: u.email }]));
    }
    if (by === 'group') {
      const groups = await this.prisma.group.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
      return new Map(groups.map((g) => [g.id, { name: g.name, detail: null }]));
    }
    if (by === 'assistant') {
      const assistants = await this.prisma.assistant.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
      return new Map(assistants.map((a) => [a.id, { name: a.name, detail: null }]));
    }
    const models = await this.prisma.model.findMany({ where: { name: { in: ids } }, select: { name: true, displayName: true } });
    return new Map(models.map((m) => [m.name, { name: m.displayName ?? m.name, detail: m.name }]));
  }
}

function nameOf(names: Map<string, { name: string; detail: string | null }>, key: string | null, by: UsageDimension) {
  // Raw model and embeddings calls through the OpenAI-compatible API have no assistant at all.
  if (key === null && by === 'assistant') return { name: '(no assistant, or deleted)', detail: 'raw models and embeddings through the API' };
  if (key === null) return { name: `(deleted ${by})`, detail: null };
  return names.get(key) ?? (by === 'model' ? { name: key, detail: key } : { name: `(deleted ${by})`, detail: null });
}
