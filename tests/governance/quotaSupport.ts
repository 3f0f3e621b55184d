import type { Database, PrismaClient } from '../../server/src/db/database.js';
import { AuditLog } from '../../server/src/governance/auditLog.js';
import { QuotaService } from '../../server/src/governance/quotas/index.js';
import { createGroupRecord, createUserRecord } from '../support/factories.js';

/** A clock the test moves by hand. */
export function manualClock(start: string) {
  let now = new Date(start);
  return {
    now: () => now,
    set: (iso: string) => void (now = new Date(iso)),
    advance: (ms: number) => void (now = new Date(now.getTime() + ms)),
  };
}

export function quotaService(db: Database, clock: { now: () => Date }, timeZone = 'UTC', reservationTtlMs = 10 * 60_000) {
  // The sweep runs only when a test asks for it.
  return new QuotaService(db, new AuditLog(db.prisma), { timeZone, reservationTtlMs, sweepIntervalMs: Number.MAX_SAFE_INTEGER, now: clock.now });
}

/** A user in a group, and an assistant: the subject of a model call. */
export async function callSubject(prisma: PrismaClient, groupId?: string) {
  const user = await createUserRecord(prisma);
  const group = groupId ? { id: groupId } : await createGroupRecord(prisma);
  await prisma.groupMembership.create({ data: { userId: user.id, groupId: group.id } });
  const assistant = await prisma.assistant.create({ data: { name: `Assistant ${user.id.slice(0, 6)}` } });
  return { userId: user.id, groupIds: [group.id], assistantId: assistant.id };
}

export async function counterOf(prisma: PrismaClient, quotaId: string, period: string) {
  const rows = await prisma.quotaCounter.findMany({ where: { quotaId, period }, orderBy: { periodStart: 'desc' }, take: 1 });
  const c = rows[0];
  return c
    ? { requests: c.requests, tokens: Number(c.tokens), cost: Number(c.cost), reservedTokens: Number(c.reservedTokens), reservedCost: Number(c.reservedCost), periodStart: c.periodStart.toISOString() }
    : undefined;
}
