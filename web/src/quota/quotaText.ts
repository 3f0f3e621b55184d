import type { LimitStanding, MyUsage } from '../api/types.js';
import { limitWords, whenText } from '../ui/describeError.js';

// What the quota widget and banner say, from GET /me/usage. Pure, so the
// choice of which limit to show is tested on its own.

export interface QuotaLine {
  label: string;
  text: string;
  pct: number;
}

function amount(limit: LimitStanding, value: number): string {
  if (limit.limit.startsWith('cost')) return `$${value.toFixed(2)}`;
  const count = Math.max(0, Math.floor(value));
  const unit = limit.limit.startsWith('tokens') ? 'token' : 'message';
  return `${count.toLocaleString('en')} ${unit}${count === 1 ? '' : 's'}`;
}

/** The tightest limit of a period: the one with the least left relative to its size. */
export function tightest(limits: LimitStanding[], periods: LimitStanding['period'][]): LimitStanding | undefined {
  return limits
    .filter((l) => periods.includes(l.period))
    .sort((a, b) => b.usedPct - a.usedPct || a.remaining - b.remaining)[0];
}

export function quotaLines(usage: MyUsage): QuotaLine[] {
  const lines: QuotaLine[] = [];
  const day = tightest(usage.limits, ['minute', 'hour', 'day']);
  const month = tightest(usage.limits, ['month']);
  if (day) lines.push({ label: 'Today', text: `${amount(day, day.remaining)} left`, pct: day.usedPct });
  if (month) lines.push({ label: 'This month', text: `${amount(month, month.remaining)} left`, pct: month.usedPct });
  if (lines.length === 0) lines.push({ label: 'Today', text: `${usage.today.tokens.toLocaleString('en')} tokens used`, pct: 0 });
  return lines;
}

/** A limit that is used up, if any: the one that resets last (that is when sending works again). */
export function exhausted(limits: LimitStanding[]): LimitStanding | undefined {
  return limits.filter((l) => l.remaining <= 0).sort((a, b) => b.resetsAt.localeCompare(a.resetsAt))[0];
}

/** An assistant's own quota stops only that assistant, so the banner names it. */
export function limitReachedText(limit: { limit?: string; resetsAt?: string; scope?: string; scopeName?: string | null }, now: Date = new Date()): string {
  const resets = limit.resetsAt ? ` It resets ${whenText(limit.resetsAt, now)}.` : '';
  const whose = limit.scope === 'assistant' && limit.scopeName ? `the ${limitWords(limit.limit)} of ${limit.scopeName}` : `your ${limitWords(limit.limit)}`;
  return `You have reached ${whose}.${resets}`;
}
