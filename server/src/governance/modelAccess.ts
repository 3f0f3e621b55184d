import type { ProviderEndpoint } from '../chat/llm/chatProvider.js';
import type { Model, Provider } from '../db/generated/client.js';
import { AppError } from '../errors/appError.js';
import type { Services } from '../services.js';
import type { RequestMeta } from './auditLog.js';
import { openApiKey } from './keyVaultErrors.js';

// Which endpoint and key a model call goes to. The chat pipeline calls
// resolveChatModel on every message, so the common path is two indexed reads
// and one decryption; the key's last-used time (and its audit entry) is
// written at most once a minute per key.

type Deps = Pick<Services, 'prisma' | 'keyVault' | 'audit'>;

/** Interval between two recorded uses of the same key. */
export const KEY_USE_RECORD_INTERVAL_MS = 60_000;

const unavailable = () => new AppError('conflict', "The assistant's model is not available");

export async function resolveChatModel(
  s: Deps,
  modelId: string,
): Promise<{ model: Model; provider: Provider; endpoint: ProviderEndpoint; apiKeyId: string | null }> {
  const found = await s.prisma.model.findUnique({ where: { id: modelId }, include: { provider: true } });
  if (!found || !found.enabled || found.kind !== 'chat' || !found.provider.enabled) throw unavailable();
  const { provider, ...model } = found;
  const { endpoint, apiKeyId } = await providerEndpoint(s, provider, { purpose: 'chat' });
  return { model, provider, endpoint, apiKeyId };
}

export interface EndpointOptions {
  /** A specific key (test connection); otherwise the newest enabled one. */
  keyId?: string;
  /** Recorded with the use. */
  purpose: KeyUsePurpose;
  /** false: the caller records the use itself (with an actor and an outcome). */
  recordUse?: boolean;
}

export type KeyUsePurpose = 'chat' | 'test' | 'list-models';

export interface ResolvedEndpoint {
  endpoint: ProviderEndpoint;
  /** The key used, without its secret; null when the provider has none. */
  key: { id: string; hint: string; lastUsedAt: Date | null } | null;
  apiKeyId: string | null;
}

/**
 * The endpoint for a provider with its newest enabled key decrypted. A
 * provider with no key at all is called without one (local servers such as
 * Ollama need none); one whose keys are all disabled is unavailable, since
 * an admin switched them off on purpose.
 */
export async function providerEndpoint(s: Deps, provider: Provider, options: EndpointOptions): Promise<ResolvedEndpoint> {
  const row = await s.prisma.apiKey.findFirst({
    where: { providerId: provider.id, ...(options.keyId ? { id: options.keyId } : { enabled: true }) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  if (!row) {
    if (options.keyId) throw AppError.notFound('API key');
    const anyKey = await s.prisma.apiKey.count({ where: { providerId: provider.id } });
    if (anyKey || provider.kind === 'anthropic') throw new AppError('conflict', `Provider ${provider.name} has no enabled API key`);
    return { endpoint: { kind: provider.kind, baseUrl: provider.baseUrl, apiKey: null }, key: null, apiKeyId: null };
  }
  const apiKey = openApiKey(s.keyVault, row);
  const key = { id: row.id, hint: row.hint, lastUsedAt: row.lastUsedAt };
  if (options.recordUse !== false) await recordKeyUse(s, key, { purpose: options.purpose });
  return { endpoint: { kind: provider.kind, baseUrl: provider.baseUrl, apiKey }, key, apiKeyId: row.id };
}

/**
 * Sets the key's last-used time and audits the use. Without an actor (model
 * calls) at most once a minute per key, conditionally, so concurrent calls in
 * several processes record one use; with an actor (an admin's test) always.
 */
export async function recordKeyUse(
  s: Deps,
  key: { id: string; hint: string; lastUsedAt: Date | null },
  use: { purpose: KeyUsePurpose; actor?: { id: string; email: string }; outcome?: Record<string, unknown>; meta?: RequestMeta },
): Promise<void> {
  const now = new Date();
  const since = new Date(now.getTime() - KEY_USE_RECORD_INTERVAL_MS);
  if (!use.actor && key.lastUsedAt && key.lastUsedAt > since) return;
  await s.prisma.$transaction(async (tx) => {
    const { count } = await tx.apiKey.updateMany({
      where: { id: key.id, ...(use.actor ? {} : { OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: since } }] }) },
      data: { lastUsedAt: now },
    });
    if (!count) return;
    await s.audit.record(
      {
        actor: use.actor ?? null,
        action: 'apiKey.use',
        resource: { type: 'apiKey', id: key.id },
        newValues: { hint: key.hint, purpose: use.purpose, ...use.outcome },
        meta: use.meta,
      },
      tx,
    );
  });
}
