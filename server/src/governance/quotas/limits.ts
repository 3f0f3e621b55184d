import type { PeriodKind } from './periods.js';
import { usdToMicros } from './money.js';

export type QuotaScope = 'global' | 'group' | 'user' | 'assistant';
export type LimitName = 'requestsPerMinute' | 'requestsPerHour' | 'tokensPerDay' | 'tokensPerMonth' | 'costPerDay' | 'costPerMonth';
export type Measure = 'requests' | 'tokens' | 'cost';

export interface LimitDefinition {
  name: LimitName;
  period: PeriodKind;
  measure: Measure;
  label: string;
}

export const LIMITS: readonly LimitDefinition[] = [
  { name: 'requestsPerMinute', period: 'minute', measure: 'requests', label: 'requests per minute' },
  { name: 'requestsPerHour', period: 'hour', measure: 'requests', label: 'requests per hour' },
  { name: 'tokensPerDay', period: 'day', measure: 'tokens', label: 'daily tokens' },
  { name: 'tokensPerMonth', period: 'month', measure: 'tokens', label: 'monthly tokens' },
  { name: 'costPerDay', period: 'day', measure: 'cost', label: 'daily cost' },
  { name: 'costPerMonth', period: 'month', measure: 'cost', label: 'monthly cost' },
];

/** A quota's limits as integers: requests, tokens, and cost in micro-dollars; null = unlimited. */
export interface QuotaLimits {
  id: string;
  scope: QuotaScope;
  scopeId: string | null;
  alertThresholdPct: number;
  limits: Record<LimitName, number | null>;
}

type DecimalLike = { toString(): string };
export interface QuotaRecord {
  id: string;
  scope: QuotaScope;
  scopeId: string | null;
  requestsPerMinute: number | null;
  requestsPerHour: number | null;
  tokensPerDay: bigint | number | null;
  tokensPerMonth: bigint | number | null;
  costPerDay: DecimalLike | null;
  costPerMonth: DecimalLike | null;
  alertThresholdPct: number;
}

export function toQuotaLimits(q: QuotaRecord): QuotaLimits {
  const n = (v: bigint | number | null) => (v === null ? null : Number(v));
  const micros = (v: DecimalLike | null) => (v === null ? null : usdToMicros(v));
  return {
    id: q.id,
    scope: q.scope,
    scopeId: q.scopeId,
    alertThresholdPct: q.alertThresholdPct,
    limits: {
      requestsPerMinute: q.requestsPerMinute,
      requestsPerHour: q.requestsPerHour,
      tokensPerDay: n(q.tokensPerDay),
      tokensPerMonth: n(q.tokensPerMonth),
      costPerDay: micros(q.costPerDay),
      costPerMonth: micros(q.costPerMonth),
    },
  };
}

/** One quota_counters row as the arithmetic needs it (cost in micro-dollars). */
export interface CounterValues {
  requests: number;
  tokens: number;
  cost: number;
  reservedTokens: number;
  reservedCost: number;
}

export const EMPTY_COUNTER: CounterValues = { requests: 0, tokens: 0, cost: 0, reservedTokens: 0, reservedCost: 0 };

/** What counts against a limit: settled use plus estimates still reserved. */
export function usedAgainst(measure: Measure, c: CounterValues): { used: number; reserved: number } {
  if (measure === 'requests') return { used: c.requests, reserved: 0 };
  if (measure === 'tokens') return { used: c.tokens, reserved: c.reservedTokens };
  return { used: c.cost, reserved: c.reservedCost };
}

/**
 * Whether one more call may start. Requests are counted exactly. Tokens and
 * cost admit a call while anything is left (settled + reserved below the
 * limit): refusing whenever remaining < estimate would strand a user's last
 * few thousand tokens behind a large max_tokens. Reservations still serialise
 * on the counter row, so however many calls race, the reserved total passes
 * the limit by less than one call's estimate.
 */
export function admits(measure: Measure, limit: number, c: CounterValues): boolean {
  const { used, reserved } = usedAgainst(measure, c);
  return used + reserved < limit;
}
