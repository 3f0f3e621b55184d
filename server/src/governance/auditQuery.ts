import type { PrismaClient } from '../db/database.js';
import type { AuditLog as AuditRow, Prisma } from '../db/generated/client.js';
import { literalLike } from '../db/likePattern.js';

/** What the console filters the log by; the list and the export take the same filters. */
export interface AuditFilters {
  actorId?: string;
  /** Part of the actor's email, any letter case. */
  actorEmail?: string;
  /** An exact action (`auth.login`), or a prefix ending in `.` or `*` (`auth.`, `user.*`). */
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
  /** Free text: part of the action, the actor's email or the resource id. */
  q?: string;
}

function actionFilter(action: string): Prisma.StringFilter | string {
  if (action.endsWith('*')) return { startsWith: action.slice(0, -1) };
  if (action.endsWith('.')) return { startsWith: action };
  return action;
}

export function auditWhere(f: AuditFilters): Prisma.AuditLogWhereInput {
  return {
    actorId: f.actorId,
    actorEmail: f.actorEmail ? { contains: literalLike(f.actorEmail), mode: 'insensitive' } : undefined,
    action: f.action ? actionFilter(f.action) : undefined,
    resourceType: f.resourceType,
    resourceId: f.resourceId,
    createdAt: f.from || f.to ? { gte: f.from, lte: f.to } : undefined,
    OR: f.q
      ? [
          { action: { contains: literalLike(f.q), mode: 'insensitive' } },
          { actorEmail: { contains: literalLike(f.q), mode: 'insensitive' } },
          { resourceId: { contains: literalLike(f.q) } },
        ]
      : undefined,
  };
}

/**
 * The matching entries in id (= chain) order, fetched in keyset batches so
 * only one batch is in memory at a time however many rows match. `upToId`
 * fixes the end, so entries written during a long export do not extend it.
 */
export async function* auditBatches(
  prisma: PrismaClient,
  where: Prisma.AuditLogWhereInput,
  upToId: bigint,
  batchSize = 1000,
): AsyncGenerator<AuditRow[]> {
  let cursor = 0n;
  for (;;) {
    const rows = await prisma.auditLog.findMany({
      where: { AND: [where, { id: { gt: cursor, lte: upToId } }] },
      orderBy: { id: 'asc' },
      take: batchSize,
    });
    if (rows.length) yield rows;
    if (rows.length < batchSize) return;
    cursor = rows[rows.length - 1]!.id;
  }
}

/** The newest entry's id now (0 when the log is empty). */
export async function auditHeadId(prisma: PrismaClient): Promise<bigint> {
  const last = await prisma.auditLog.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
  return last?.id ?? 0n;
}

/**
 * Distinct action names, for the console's filter. A loose index scan: one
 * index probe per distinct action rather than a pass over every entry.
 */
export async function auditActions(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.$queryRaw<{ action: string }[]>`
    WITH RECURSIVE a(action) AS (
      (SELECT action FROM audit_logs ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT l.action FROM audit_logs l WHERE l.action > a.action ORDER BY l.action LIMIT 1) FROM a WHERE a.action IS NOT NULL
    )
    SELECT action FROM a WHERE action IS NOT NULL`;
  return rows.map((r) => r.action);
}
