import { AppError } from '../../errors/appError.js';
import { civilDateAt, isoDate, parseIsoDate, startOfCivilDay } from '../quotas/periods.js';

/** A report's range: whole days `from`..`to` (inclusive) in the quota time zone, and the instants bounding them. */
export interface UsageRange {
  from: string;
  to: string;
  timeZone: string;
  start: Date;
  /** Exclusive: the first instant after `to`. */
  end: Date;
}

const MAX_DAYS = 366;

/** Defaults to the 30 days ending today (in the zone). */
export function usageRange(query: { from?: string; to?: string }, now: Date, timeZone: string): UsageRange {
  const today = civilDateAt(now, timeZone);
  const toDate = query.to ? parseIsoDate(query.to) : today;
  const fromDate = query.from ? parseIsoDate(query.from) : { ...toDate, day: toDate.day - 29 };
  const start = startOfCivilDay(fromDate, timeZone);
  const end = startOfCivilDay({ ...toDate, day: toDate.day + 1 }, timeZone);
  const invalid = (message: string) => new AppError('validation_failed', 'Invalid query', { issues: [{ path: 'from', message, code: 'custom' }] });
  if (start >= end) throw invalid('must not be after `to`');
  // Calendar days, counted in UTC so DST cannot shorten or lengthen one.
  const days = (Date.UTC(toDate.year, toDate.month - 1, toDate.day) - Date.UTC(fromDate.year, fromDate.month - 1, fromDate.day)) / 86_400_000 + 1;
  if (days > MAX_DAYS) throw invalid(`a range may span at most ${MAX_DAYS} days`);
  return { from: isoDate(civilDateAt(start, timeZone)), to: isoDate(civilDateAt(new Date(end.getTime() - 1), timeZone)), timeZone, start, end };
}

/** Every date of the range, `YYYY-MM-DD`. */
export function daysOf(range: Pick<UsageRange, 'from' | 'to'>): string[] {
  const first = parseIsoDate(range.from);
  const dates: string[] = [];
  for (let i = 0; ; i++) {
    const day = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
    const date = isoDate({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() });
    dates.push(date);
    if (date >= range.to) return dates;
  }
}
