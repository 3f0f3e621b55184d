// Quota periods. Days and months follow the wall clock of one configured IANA
// time zone (QUOTA_TIME_ZONE): a "day" there may last 23 or 25 hours on a DST
// change. Minutes and hours are fixed UTC windows rather than sliding ones: a
// fixed window is one counter row, so the row lock that makes a reservation
// atomic also makes the rate check exact, and `resetsAt` is a real instant. The
// price is that a client may burst up to twice the rate across a window edge,
// which is acceptable for a guard against runaway use.

export type PeriodKind = 'minute' | 'hour' | 'day' | 'month';

export interface Period {
  kind: PeriodKind;
  start: Date;
  /** The first instant of the next period: when the counter resets. */
  end: Date;
}

interface CivilDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows this IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock date and time at `instant` in `timeZone`, as if it were UTC. */
function wallClock(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatterFor(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
}

export function civilDateAt(instant: Date, timeZone: string): CivilDate {
  const wall = new Date(wallClock(instant.getTime(), timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/**
 * The first instant of a civil date in `timeZone`. Usually local midnight; in a
 * zone whose DST change skips midnight, the first minute that exists. Date
 * parts out of range roll over (day 32 is the next month's first).
 */
export function startOfCivilDay(date: CivilDate, timeZone: string): Date {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day);
  const target = new Date(asUtc);
  const sameDay = (instant: number) => {
    const d = new Date(wallClock(instant, timeZone));
    return d.getUTCFullYear() === target.getUTCFullYear() && d.getUTCMonth() === target.getUTCMonth() && d.getUTCDate() === target.getUTCDate();
  };
  // Try the offsets in force a day either side of midnight; the earliest
  // candidate whose local date is the wanted one is where the day starts.
  const candidates = [asUtc - 86_400_000, asUtc, asUtc + 86_400_000]
    .map((probe) => asUtc - (wallClock(probe, timeZone) - probe))
    .filter(sameDay)
    .sort((a, b) => a - b);
  if (candidates.length) return new Date(candidates[0]!);
  // Midnight fell into a DST gap: walk forward to the first existing minute.
  for (let t = asUtc - 14 * 3_600_000; t < asUtc + 14 * 3_600_000; t += 60_000) if (sameDay(t)) return new Date(t);
  throw new Error(`cannot place ${date.year}-${date.month}-${date.day} in ${timeZone}`);
}

export function periodAt(kind: PeriodKind, instant: Date, timeZone: string): Period {
  const t = instant.getTime();
  switch (kind) {
    case 'minute': {
      const start = t - (t % 60_000);
      return { kind, start: new Date(start), end: new Date(start + 60_000) };
    }
    case 'hour': {
      const start = t - (t % 3_600_000);
      return { kind, start: new Date(start), end: new Date(start + 3_600_000) };
    }
    case 'day':
    case 'month': {
      // Placing a civil day in a time zone takes several Intl calls; every instant up to the period's end gets the same answer.
      const key = `${kind} ${timeZone}`;
      const known = civilPeriods.get(key);
      if (known && known.start.getTime() <= t && t < known.end.getTime()) return known;
      const d = civilDateAt(instant, timeZone);
      const period: Period =
        kind === 'day'
          ? { kind, start: startOfCivilDay(d, timeZone), end: startOfCivilDay({ ...d, day: d.day + 1 }, timeZone) }
          : { kind, start: startOfCivilDay({ ...d, day: 1 }, timeZone), end: startOfCivilDay({ year: d.year, month: d.month + 1, day: 1 }, timeZone) };
      civilPeriods.set(key, Object.freeze(period));
      return period;
    }
  }
}

/** The latest day and month placed, by kind and time zone (see periodAt). */
const civilPeriods = new Map<string, Period>();

export const PERIOD_KINDS: readonly PeriodKind[] = ['minute', 'hour', 'day', 'month'];

/** Every period containing `instant`, by kind. */
export function periodsAt(instant: Date, timeZone: string): Record<PeriodKind, Period> {
  return Object.fromEntries(PERIOD_KINDS.map((k) => [k, periodAt(k, instant, timeZone)])) as Record<PeriodKind, Period>;
}

/** `YYYY-MM-DD` of a civil date. */
export function isoDate(d: CivilDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function parseIsoDate(value: string): CivilDate {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  return { year, month, day };
}
