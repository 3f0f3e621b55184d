import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../db/generated/client.js';

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

export async function memoryState(prisma: PrismaClient | Prisma.TransactionClient, userId: string): Promise<MemoryState> {
  const [user, disabledGroups] = await Promise.all([
    prisma.user.findUnique({ where: { id: userId }, select: { memoryEnabled: true } }),
    prisma.groupMembership.count({ where: { userId, group: { memoryDisabled: true } } }),
  ]);
  const enabled = user?.memoryEnabled ?? false;
  const allowed = disabledGroups === 0;
  return { enabled, allowed, active: enabled && allowed };
}
