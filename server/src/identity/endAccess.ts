import type { Services } from '../services.js';

/**
 * Ends a deactivated account's access everywhere at once: REST already
 * refuses it (the user row is read on every request); here its refresh
 * families are revoked, and every API process drops its sockets and stops
 * the answers being written for it (the event crosses processes on Postgres).
 */
export async function endAccess(s: Services, userId: string, reason: string): Promise<void> {
  await s.sessions.revokeAllForUser(userId, reason);
  s.generations.stopForUser(userId);
  await s.events.publish('user.deactivated', { userId });
}
