import type { LimitStanding, MyUsage } from '../../web/src/api/types.js';
import { exhausted, limitReachedText, quotaLines, tightest } from '../../web/src/quota/quotaText.js';
import { describeError, whenText } from '../../web/src/ui/describeError.js';
import { parseRoute } from '../../web/src/ui/route.js';

// What people read when something goes wrong or a limit is near, from the
// API's error codes and /me/usage.

const now = new Date(2026, 10, 22, 9, 30);
const local = (day: number, hour: number, minute = 0) => new Date(2026, 10, day, hour, minute).toISOString();

function limit(partial: Partial<LimitStanding> & Pick<LimitStanding, 'limit' | 'period'>): LimitStanding {
  return { limitValue: 1000, used: 0, remaining: 1000, usedPct: 0, resetsAt: local(23, 0), ...partial };
}

describe('error messages', () => {
  it('says which limit was hit and when it resets', () => {
    const d = describeError({ code: 'quota_exceeded', message: 'Quota exceeded', details: { scope: 'user', limit: 'tokensPerDay', limitValue: 1000, used: 1000, remaining: 0, resetsAt: local(23, 0) } }, now);
    expect(d).toEqual({ title: 'Usage limit reached', detail: 'You have used your daily token allowance. It resets tomorrow at 00:00.', retry: false });
  });

  it('explains provider failures by kind, and that trying again may help', () => {
    expect(describeError({ code: 'upstream_failed', message: 'x', details: { failure: 'timeout' } })).toMatchObject({ detail: expect.stringContaining('took too long'), retry: true });
    expect(describeError({ code: 'upstream_failed', message: 'x', details: { failure: 'unauthorized' } })).toMatchObject({ detail: expect.stringContaining('administrator'), retry: false });
    expect(describeError({ code: 'upstream_failed', message: 'x' }).detail).toContain('could not answer');
  });

  it('covers a lost network and an expired session', () => {
    expect(describeError({ code: 'network', message: 'Failed to fetch' }).title).toBe('Connection lost');
    expect(describeError({ code: 'session_expired', message: '' }).detail).toBe('Please sign in again.');
  });

  it('falls back to the server message for codes it does not know', () => {
    expect(describeError({ code: 'teapot', message: 'Short and stout' })).toEqual({ title: 'Something went wrong', detail: 'Short and stout', retry: true });
  });

  it('words reset times relative to now', () => {
    expect(whenText(local(22, 14, 5), now)).toBe('today at 14:05');
    expect(whenText(local(23, 0), now)).toBe('tomorrow at 00:00');
    expect(whenText(new Date(2026, 11, 1, 0, 0).toISOString(), now)).toBe('on 1 December at 00:00');
  });
});

describe('quota widget', () => {
  const usage = (limits: LimitStanding[]): MyUsage => ({
    timeZone: 'UTC',
    limits,
    today: { requests: 3, tokens: 1234, cost: 0, resetsAt: local(23, 0) },
    thisMonth: { requests: 9, tokens: 5678, cost: 0, resetsAt: local(30, 0) },
  });

  it('shows the tightest limit of the day and of the month', () => {
    const limits = [
      limit({ limit: 'tokensPerDay', period: 'day', remaining: 800, usedPct: 20 }),
      limit({ limit: 'requestsPerHour', period: 'hour', limitValue: 10, remaining: 1, usedPct: 90 }),
      limit({ limit: 'costPerMonth', period: 'month', limitValue: 50, remaining: 12.5, usedPct: 75 }),
    ];
    expect(tightest(limits, ['minute', 'hour', 'day'])?.limit).toBe('requestsPerHour');
    expect(quotaLines(usage(limits))).toEqual([
      { label: 'Today', text: '1 message left', pct: 90 },
      { label: 'This month', text: '$12.50 left', pct: 75 },
    ]);
  });

  it('shows what was used when no limit applies', () => {
    expect(quotaLines(usage([]))).toEqual([{ label: 'Today', text: '1,234 tokens used', pct: 0 }]);
  });

  it('finds a used-up limit and says when sending works again', () => {
    const spent = [limit({ limit: 'tokensPerDay', period: 'day', remaining: 0, usedPct: 100, resetsAt: local(23, 0) }), limit({ limit: 'tokensPerMonth', period: 'month', remaining: 0, usedPct: 100, resetsAt: local(30, 0) })];
    expect(exhausted(spent)?.limit).toBe('tokensPerMonth');
    expect(exhausted([limit({ limit: 'tokensPerDay', period: 'day' })])).toBeUndefined();
    expect(limitReachedText({ limit: 'tokensPerDay', resetsAt: local(23, 0) }, now)).toBe('You have reached your daily token allowance. It resets tomorrow at 00:00.');
    expect(limitReachedText({ limit: 'requestsPerHour', scope: 'assistant', scopeName: 'PDF expert', resetsAt: local(22, 10) }, now)).toBe(
      'You have reached the hourly message limit of PDF expert. It resets today at 10:00.',
    );
  });
});

describe('app routes', () => {
  const id = '0b7c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b';
  it('reads the three screens from the path', () => {
    expect(parseRoute('/')).toEqual({ name: 'home' });
    expect(parseRoute(`/c/${id}`)).toEqual({ name: 'conversation', id });
    expect(parseRoute(`/new/${id}`)).toEqual({ name: 'new', assistantId: id });
    expect(parseRoute('/c/not-an-id')).toEqual({ name: 'home' });
    // Shared conversations: a share's token (base64url) and the "Shared with me" list.
    const token = 'kHEGTMWfa5ltbTykpu9bYXgTpj8D6-_0123456789ab';
    expect(parseRoute(`/s/${token}`)).toEqual({ name: 'shared', token });
    expect(parseRoute('/s/short')).toEqual({ name: 'home' });
    expect(parseRoute('/shared')).toEqual({ name: 'sharedWithMe' });
  });
});
