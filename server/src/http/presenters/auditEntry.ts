import { z } from 'zod';
import type { AuditLog } from '../../db/generated/client.js';

export const AuditEntryView = z
  .object({
    id: z.string(),
    actorId: z.string().nullable(),
    actorEmail: z.string().nullable(),
    action: z.string(),
    resourceType: z.string().nullable(),
    resourceId: z.string().nullable(),
    oldValues: z.unknown(),
    newValues: z.unknown(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: z.string(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

/** Ids are strings (64-bit), values as stored (secrets were redacted before storing). */
export function presentAuditEntry(row: AuditLog): z.infer<typeof AuditEntryView> {
  return {
    id: row.id.toString(),
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    oldValues: row.oldValues ?? null,
    newValues: row.newValues ?? null,
    ip: row.ip,
    userAgent: row.userAgent,
    createdAt: row.createdAt.toISOString(),
    prevHash: row.prevHash,
    hash: row.hash,
  };
}
