// Sidebar sections by the last message's date, in the reader's local time,
// as the chat products people know do it.

export type DateGroup = 'Today' | 'Yesterday' | 'Previous 7 days' | 'Previous 30 days' | string;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

const DAY_MS = 86_400_000;

export function dateGroup(iso: string, now: Date = new Date()): DateGroup {
  const date = new Date(iso);
  // Calendar days, not 24-hour spans, and safe across a daylight-saving change.
  const days = Math.round((startOfDay(now) - startOfDay(date)) / DAY_MS);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 7) return 'Previous 7 days';
  if (days < 30) return 'Previous 30 days';
  if (date.getFullYear() === now.getFullYear()) return date.toLocaleString('en', { month: 'long' });
  return String(date.getFullYear());
}

/** Groups items (already newest first) into labelled sections, keeping their order. */
export function groupByDate<T>(items: T[], dateOf: (item: T) => string, now: Date = new Date()): { label: DateGroup; items: T[] }[] {
  const groups: { label: DateGroup; items: T[] }[] = [];
  for (const item of items) {
    const label = dateGroup(dateOf(item), now);
    const last = groups.at(-1);
    if (last?.label === label) last.items.push(item);
    else groups.push({ label, items: [item] });
  }
  return groups;
}
