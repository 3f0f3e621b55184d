import { ConfigError } from '../../server/src/config/index.js';
import { costOf } from '../../server/src/governance/quotas/index.js';
import { testConfig } from '../support/testApp.js';
import { periodAt, startOfCivilDay } from '../../server/src/governance/quotas/periods.js';

// Period arithmetic: pure functions, no database.
const at = (kind: Parameters<typeof periodAt>[0], instant: string, zone: string) => {
  const p = periodAt(kind, new Date(instant), zone);
  return { start: p.start.toISOString(), end: p.end.toISOString() };
};

describe('quota periods', () => {
  it('puts 23:59:59 and 00:00:00 of the configured zone on different days', () => {
    expect(at('day', '2026-11-22T23:59:59.999Z', 'UTC')).toEqual({ start: '2026-11-22T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z' });
    expect(at('day', '2026-11-23T00:00:00.000Z', 'UTC')).toEqual({ start: '2026-11-23T00:00:00.000Z', end: '2026-11-24T00:00:00.000Z' });
    // New York is UTC-5 in November: its day runs 05:00Z to 05:00Z.
    expect(at('day', '2026-11-23T04:59:59Z', 'America/New_York')).toEqual({ start: '2026-11-22T05:00:00.000Z', end: '2026-11-23T05:00:00.000Z' });
    expect(at('day', '2026-11-23T05:00:00Z', 'America/New_York')).toEqual({ start: '2026-11-23T05:00:00.000Z', end: '2026-11-24T05:00:00.000Z' });
    // Tokyo (UTC+9, no DST): 15:00Z is midnight.
    expect(at('day', '2026-11-22T14:59:59Z', 'Asia/Tokyo').end).toBe('2026-11-22T15:00:00.000Z');
  });

  it('ends February on the 28th, or the 29th in a leap year, and December on the 31st', () => {
    expect(at('month', '2026-02-28T23:59:59Z', 'UTC')).toEqual({ start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' });
    expect(at('month', '2028-02-29T12:00:00Z', 'UTC')).toEqual({ start: '2028-02-01T00:00:00.000Z', end: '2028-03-01T00:00:00.000Z' });
    expect(at('day', '2028-02-28T23:59:59Z', 'UTC').end).toBe('2028-02-29T00:00:00.000Z');
    expect(at('day', '2026-02-28T23:59:59Z', 'UTC').end).toBe('2026-03-01T00:00:00.000Z');
    expect(at('month', '2026-12-31T23:59:59Z', 'UTC')).toEqual({ start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' });
    expect(at('day', '2027-01-01T00:00:00Z', 'UTC')).toEqual({ start: '2027-01-01T00:00:00.000Z', end: '2027-01-02T00:00:00.000Z' });
    // In Berlin (UTC+1 in winter) the year turns at 23:00Z.
    expect(at('month', '2026-12-31T22:59:59Z', 'Europe/Berlin')).toEqual({ start: '2026-11-30T23:00:00.000Z', end: '2026-12-31T23:00:00.000Z' });
    expect(at('month', '2026-12-31T23:00:00Z', 'Europe/Berlin')).toEqual({ start: '2026-12-31T23:00:00.000Z', end: '2027-01-31T23:00:00.000Z' });
  });

  it('gives a DST change day its real length: 23 hours in spring, 25 in autumn', () => {
    // Berlin springs forward on 29 March 2026 (02:00 → 03:00) and falls back on 25 October (03:00 → 02:00).
    const spring = periodAt('day', new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect([spring.start.toISOString(), spring.end.toISOString()]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    const autumn = periodAt('day', new Date('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3_600_000);
    // March in Berlin is an hour short too; its month starts and ends at local midnight.
    expect(at('month', '2026-03-15T00:00:00Z', 'Europe/Berlin')).toEqual({ start: '2026-02-28T23:00:00.000Z', end: '2026-03-31T22:00:00.000Z' });
    // New York springs forward on 8 March 2026.
    expect(at('day', '2026-03-08T12:00:00Z', 'America/New_York')).toEqual({ start: '2026-03-08T05:00:00.000Z', end: '2026-03-09T04:00:00.000Z' });
  });

  it('starts a day at the first existing minute when DST skips midnight', () => {
    // Santiago springs forward at 00:00 on 6 September 2026: that day begins at 01:00 local (04:00Z).
    expect(startOfCivilDay({ year: 2026, month: 9, day: 6 }, 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });

  it('uses fixed UTC windows for minutes and hours, whatever the zone', () => {
    expect(at('minute', '2026-11-22T10:15:59.999Z', 'Asia/Kolkata')).toEqual({ start: '2026-11-22T10:15:00.000Z', end: '2026-11-22T10:16:00.000Z' });
    expect(at('hour', '2026-11-22T10:59:59Z', 'Asia/Kolkata')).toEqual({ start: '2026-11-22T10:00:00.000Z', end: '2026-11-22T11:00:00.000Z' });
  });
});

describe('cost of a call', () => {
  it('prices prompt and completion tokens per million, exactly, rounded to six decimals', () => {
    expect(costOf({ inputPricePerMTok: '3.000000', outputPricePerMTok: '15.000000' }, 1_000_000, 1_000_000)).toBe(18);
    expect(costOf({ inputPricePerMTok: '2.50', outputPricePerMTok: '10' }, 1234, 567)).toBe(0.008755);
    // 0.15 × 7 / 1e6 = 0.00000105 → half up at the 6th decimal.
    expect(costOf({ inputPricePerMTok: 0.15, outputPricePerMTok: 0.6 }, 7, 0)).toBe(0.000001);
    expect(costOf({ inputPricePerMTok: '0.1', outputPricePerMTok: '0' }, 5, 0)).toBe(0.000001);
    expect(costOf({ inputPricePerMTok: '0.1', outputPricePerMTok: '0' }, 4, 0)).toBe(0);
    expect(costOf({ inputPricePerMTok: { toString: () => '0.000001' }, outputPricePerMTok: '0' }, 10_000_000, 0)).toBe(0.00001);
    // Floats would drift here: 0.1 + 0.2 per million over a million tokens each.
    expect(costOf({ inputPricePerMTok: '0.1', outputPricePerMTok: '0.2' }, 1_000_000, 1_000_000)).toBe(0.3);
  });
});

describe('quota configuration', () => {
  it('takes an IANA zone and a reservation TTL, and refuses a zone the runtime does not know', () => {
    expect(testConfig().quotas).toEqual({ timeZone: 'UTC', reservationTtlMs: 600_000 });
    expect(testConfig({ QUOTA_TIME_ZONE: 'Europe/Berlin', QUOTA_RESERVATION_TTL_MINUTES: '3' }).quotas).toEqual({ timeZone: 'Europe/Berlin', reservationTtlMs: 180_000 });
    const error = (() => {
      try {
        testConfig({ QUOTA_TIME_ZONE: 'Mars/Olympus_Mons', QUOTA_RESERVATION_TTL_MINUTES: '0' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(expect.arrayContaining([expect.stringMatching(/^QUOTA_TIME_ZONE: must be an IANA time zone/), expect.stringMatching(/^QUOTA_RESERVATION_TTL_MINUTES:/)]));
  });
});
