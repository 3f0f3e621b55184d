import type { PrismaClient } from '../db/database.js';
import type { AuditLog } from './auditLog.js';
import { KeyVaultError, type KeyVault } from './keyVault.js';

export interface RotationSummary {
  /** Rows whose data key is now wrapped by MASTER_KEY. */
  rewrapped: number;
  /** Rows already under MASTER_KEY when the run started. */
  alreadyCurrent: number;
  /** Rows that could not be re-wrapped, with the reason (ids only, never key material). */
  failed: { id: string; reason: string }[];
}

/**
 * Re-wraps every data key not wrapped by the current MASTER_KEY, one row per
 * short transaction (row-locked, re-read inside), so a running server keeps
 * serving: until a row is re-wrapped it opens under MASTER_KEY_PREVIOUS, and
 * afterwards under MASTER_KEY. The secrets themselves are never re-encrypted.
 */
export async function rewrapApiKeys(s: { prisma: PrismaClient; audit: AuditLog; keyVault: KeyVault }): Promise<RotationSummary> {
  const current = s.keyVault.currentKeyId;
  if (!current) throw new KeyVaultError('not_configured', 'MASTER_KEY is not set: set it to the new key, and MASTER_KEY_PREVIOUS to the old one');
  const alreadyCurrent = await s.prisma.apiKey.count({ where: { masterKeyId: current } });
  const pending = await s.prisma.apiKey.findMany({ where: { masterKeyId: { not: current } }, select: { id: true }, orderBy: { createdAt: 'asc' } });
  const summary: RotationSummary = { rewrapped: 0, alreadyCurrent, failed: [] };

  for (const { id } of pending) {
    try {
      const done = await s.prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM api_keys WHERE id = ${id}::uuid FOR UPDATE`;
        if (!row) return false; // deleted meanwhile
        const key = await tx.apiKey.findUniqueOrThrow({ where: { id } });
        if (key.masterKeyId === current) return false; // another run got there first
        await tx.apiKey.update({ where: { id }, data: s.keyVault.rewrap(key) });
        return true;
      });
      if (done) summary.rewrapped++;
    } catch (error) {
      if (!(error instanceof KeyVaultError)) throw error;
      summary.failed.push({ id, reason: error.message });
    }
  }
  if (summary.rewrapped || summary.failed.length) {
    await s.audit.record({
      actor: null,
      action: 'apiKey.rewrap',
      resource: { type: 'apiKey' },
      newValues: { masterKeyId: current, rewrapped: summary.rewrapped, failed: summary.failed.length },
    });
  }
  return summary;
}
