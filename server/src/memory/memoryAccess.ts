import type { Database } from '../db/database.js';

/**
 * Whether memory works for a user: their own switch (off by default) and no
 * group of theirs turned off by an admin. Any one such group is enough: an
 * admin who turns memory off for, say, Legal means it for everyone in Legal,
 * whatever other groups they are also in.
 */
export interface MemoryState {
  /** The user's own switch. */
  enabled: boolean;
  /** False when a group of theirs has memory turned off. */
  allowed: boolean;
  /** Both: memories are stored, proposed and retrieved. */
  active: boolean;
}

/** One round trip: it is on the path of every chat answer. A deactivated account has memory off. */
export async function memoryState(db: Pick<Database, 'query'>, userId: string): Promise<MemoryState> {
  const [row] = await db.query<{ enabled: boolean; allowed: boolean }>(
    `SELECT u.memory_enabled AND u.active AS enabled,
            NOT EXISTS (SELECT 1 FROM group_memberships gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = u.id AND g.memory_disabled) AS allowed
       FROM users u WHERE u.id = $1::uuid`,
    [userId],
  );
  const enabled = row?.enabled ?? false;
  const allowed = row?.allowed ?? true;
  return { enabled, allowed, active: enabled && allowed };
}
