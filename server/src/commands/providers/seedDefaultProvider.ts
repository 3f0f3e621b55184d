import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { secretHint } from '../../governance/keyVault.js';
import type { Services } from '../../services.js';

// Serialises concurrent first starts (several API replicas) so only one seeds.
const SEED_LOCK = 7_214_031_340;

const environment = { actor: null, meta: undefined } as const;

/**
 * Creates provider "Default" (OpenAI-compatible), its encrypted key and the
 * chat model DEFAULT_MODEL from the environment, when no provider exists yet.
 * After that the console owns them: later starts change nothing, even when
 * the variables change, and a deleted default is not brought back while any
 * other provider exists.
 */
export async function seedDefaultProvider(
  s: Pick<Services, 'prisma' | 'audit' | 'keyVault' | 'logger'>,
  seed: NonNullable<Config['defaultProvider']>,
): Promise<'created' | 'exists'> {
  if (await s.prisma.provider.count()) return 'exists';
  const keyId = randomUUID();
  // Sealed before the transaction: a missing MASTER_KEY stops the start with the vault's message.
  const sealed = seed.apiKey ? s.keyVault.seal(seed.apiKey, keyId) : undefined;
  const hint = seed.apiKey ? secretHint(seed.apiKey) : undefined;
  const outcome = await s.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1::bigint)', SEED_LOCK);
    if (await tx.provider.count()) return 'exists' as const;
    const provider = await tx.provider.create({ data: { name: 'Default', kind: 'openai_compatible', baseUrl: seed.baseUrl } });
    const record = (action: string, type: string, id: string, newValues: Record<string, unknown>) =>
      s.audit.record({ ...environment, action, resource: { type, id }, newValues: { ...newValues, source: 'environment' } }, tx);
    await record('provider.create', 'provider', provider.id, { name: provider.name, kind: provider.kind, baseUrl: provider.baseUrl });
    if (sealed && hint) {
      await tx.apiKey.create({ data: { id: keyId, providerId: provider.id, label: 'OPENAI_API_KEY', hint, ...sealed } });
      await record('apiKey.create', 'apiKey', keyId, { providerId: provider.id, label: 'OPENAI_API_KEY', hint });
    }
    const model = await tx.model.create({ data: { providerId: provider.id, name: seed.model, kind: 'chat', contextWindow: seed.contextWindow } });
    await record('model.create', 'model', model.id, { providerId: provider.id, name: model.name, kind: model.kind, contextWindow: model.contextWindow });
    return 'created' as const;
  });
  if (outcome === 'created') s.logger.info({ model: seed.model, baseUrl: seed.baseUrl, keyHint: hint ?? null }, 'default model provider created from the environment');
  return outcome;
}
