import { z } from 'zod';
import type { AuditLog } from '../../db/generated/client.js';
import { plainEntry } from '../../governance/auditChain.js';

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

/** Values as stored (secrets were redacted before storing), with both hashes so a reader can check the link. */
export function presentAuditEntry(row: AuditLog): z.infer<typeof AuditEntryView> {
  return plainEntry(row);
}
