import type { PrismaClient } from '../db/database.js';
import type { EventBus } from '../realtime/eventBus.js';
import { readAccountState, type AccountState } from './authenticate.js';

interface Entry {
  state: Promise<AccountState | undefined>;
  until: number;
}

/** Beyond this many users the expired entries are swept on the next miss, so the map stays the size of the active users. */
const SWEEP_ABOVE = 10_000;

/**
 * Users' authentication state (active, role, groups, last password change),
 * reused for a short time so a burst of reads by one user costs one lookup:
 * the lookup was most of a read endpoint's database work (issue 17).
 *
 * How stale it can be:
 * - deactivation, role and membership changes, password changes and resets
 *   made through Atrium drop the entry at once in every process
 *   (`user.deactivated`, `user.access_changed`; across processes over
 *   Postgres LISTEN/NOTIFY, delivered when the change commits);
 * - any other change (a direct database edit, a lost notification) applies
 *   within `ttlMs` (ACTOR_CACHE_MS, 2 s by default).
 * Concurrent misses for one user share one lookup.
 */
export class AccountCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs: number,
    events: EventBus,
  ) {
    events.on('user.deactivated', ({ userId }) => this.forget(userId));
    events.on('user.access_changed', ({ userId }) => this.forget(userId));
  }

  get(userId: string): Promise<AccountState | undefined> {
    if (this.ttlMs <= 0) return readAccountState(this.prisma, userId);
    const now = Date.now();
    const cached = this.entries.get(userId);
    if (cached && cached.until > now) return cached.state;
    if (this.entries.size > SWEEP_ABOVE) for (const [id, e] of this.entries) if (e.until <= now) this.entries.delete(id);
    const entry: Entry = { state: readAccountState(this.prisma, userId), until: now + this.ttlMs };
    this.entries.set(userId, entry);
    // A failed lookup is not remembered.
    entry.state.catch(() => this.entries.get(userId) === entry && this.entries.delete(userId));
    return entry.state;
  }

  /** Drops one user's entry, or every entry when no user is named (a change touching many, such as a group's removal). */
  forget(userId?: string): void {
    if (userId) this.entries.delete(userId);
    else this.entries.clear();
  }
}

/** Tells every process's cache that a user's role, groups or password changed (no user: several users' groups); call after the change commits. */
export function announceAccessChange(s: { events: EventBus }, userId?: string): Promise<void> {
  return s.events.publish('user.access_changed', userId ? { userId } : {});
}
