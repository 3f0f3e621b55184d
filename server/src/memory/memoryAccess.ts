import type { Database } from '../db/database.js';
import { Prisma } from '../db/generated/client.js';

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

/**
 * The user's memory switches as one JSON value ({enabled, allowed}, null for
 * no such user), for a statement of its own or one that reads more (the first
 * read of a question, turnToAnswerIn). A deactivated account has memory off.
 */
export function memorySwitchesSql(userId: string): Prisma.Sql {
  return Prisma.sql`(SELECT json_build_object(
            'enabled', u.memory_enabled AND u.active,
            'allowed', NOT EXISTS (SELECT 1 FROM group_memberships gm JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = u.id AND g.memory_disabled))
       FROM users u WHERE u.id = ${userId}::uuid)`;
}

/** What memorySwitchesSql read, as the state. */
export function memoryStateOf(switches: { enabled: boolean; allowed: boolean } | null | undefined): MemoryState {
  const enabled = switches?.enabled ?? false;
  const allowed = switches?.allowed ?? true;
  return { enabled, allowed, active: enabled && allowed };
}

/** One round trip: it is on the path of chat answers whose first read did not include it. */
export async function memoryState(db: Pick<Database, 'query'>, userId: string): Promise<MemoryState> {
  const read = Prisma.sql`SELECT ${memorySwitchesSql(userId)} AS switches`;
  const [row] = await db.query<{ switches: { enabled: boolean; allowed: boolean } | null }>(read.text, read.values);
  return memoryStateOf(row?.switches);
}
