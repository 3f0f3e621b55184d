import { ConfigError } from '../config/index.js';
import type { Services } from '../services.js';

/**
 * Refuses to start (ConfigError, printed without a stack) when stored API
 * keys could not be opened: MASTER_KEY missing, or none of the configured
 * keys is the one that wrapped them. Better a clear stop at boot than every
 * chat failing later. With no stored key, a missing MASTER_KEY is allowed.
 */
export async function assertMasterKeyOpensStoredKeys(s: Pick<Services, 'prisma' | 'keyVault' | 'logger'>): Promise<void> {
  const vault = s.keyVault;
  const groups = await s.prisma.apiKey.groupBy({ by: ['masterKeyId'], _count: { _all: true } });
  if (!groups.length) return;
  const total = groups.reduce((sum, g) => sum + g._count._all, 0);
  if (!vault.configured) {
    throw new ConfigError([`MASTER_KEY: is required: ${total} stored API key(s) are encrypted with it. Set MASTER_KEY to the key they were stored with.`]);
  }
  const unknown = groups.filter((g) => !vault.holds(g.masterKeyId));
  if (unknown.length) {
    const count = unknown.reduce((sum, g) => sum + g._count._all, 0);
    throw new ConfigError([
      `MASTER_KEY: does not match the key that encrypted ${count} stored API key(s) (master key id ${unknown.map((g) => g.masterKeyId).join(', ')}; ` +
        `MASTER_KEY is ${vault.currentKeyId}). If you changed it, set MASTER_KEY_PREVIOUS to the old key and run npm run keys:rotate.`,
    ]);
  }
  // A rotation left half-way, or finished with the old key still configured: say what to do next.
  const pending = groups.filter((g) => g.masterKeyId !== vault.currentKeyId).reduce((sum, g) => sum + g._count._all, 0);
  if (pending) s.logger.warn({ pending }, 'API keys are still wrapped by a previous master key; run npm run keys:rotate');
  else if (vault.previousKeyIds.length) s.logger.warn('every API key is wrapped by MASTER_KEY; MASTER_KEY_PREVIOUS can be removed');
}
