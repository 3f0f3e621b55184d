import { dateGroup, groupByDate } from '../../web/src/conversations/dateGroups.js';

// Sidebar sections by calendar day in local time.

const now = new Date(2026, 10, 22, 9, 30); // 22 November 2026, 09:30 local
const at = (month: number, day: number, hour = 12, year = 2026) => new Date(year, month, day, hour).toISOString();

describe('sidebar date groups', () => {
  it('names days by the calendar, not by 24-hour spans', () => {
    expect(dateGroup(at(10, 22, 0), now)).toBe('Today');
    expect(dateGroup(at(10, 21, 23), now)).toBe('Yesterday');
    expect(dateGroup(at(10, 21, 0), now)).toBe('Yesterday');
    expect(dateGroup(at(10, 20, 23), now)).toBe('Previous 7 days');
    expect(dateGroup(at(10, 16), now)).toBe('Previous 7 days');
    expect(dateGroup(at(10, 15), now)).toBe('Previous 30 days');
    expect(dateGroup(at(9, 24), now)).toBe('Previous 30 days');
    expect(dateGroup(at(9, 1), now)).toBe('October');
    expect(dateGroup(at(11, 31, 12, 2025), now)).toBe('2025');
  });

  it('treats a clock slightly ahead of the server as today', () => {
    expect(dateGroup(new Date(now.getTime() + 60_000).toISOString(), now)).toBe('Today');
  });

  it('groups a newest-first list into consecutive sections', () => {
    const rows = [at(10, 22), at(10, 22, 8), at(10, 21), at(10, 10), at(10, 9)].map((lastMessageAt, i) => ({ id: i, lastMessageAt }));
    const groups = groupByDate(rows, (r) => r.lastMessageAt, now);
    expect(groups.map((g) => [g.label, g.items.map((r) => r.id)])).toEqual([
      ['Today', [0, 1]],
      ['Yesterday', [2]],
      ['Previous 30 days', [3, 4]],
    ]);
  });
});
