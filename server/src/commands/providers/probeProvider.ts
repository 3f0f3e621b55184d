import type { ConnectionCheck } from '../../chat/llm/chatProvider.js';
import { ProviderError } from '../../chat/llm/chatProvider.js';
import { createChatProvider } from '../../chat/llm/registry.js';
import type { Provider } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { providerEndpoint, recordKeyUse } from '../../governance/modelAccess.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

// The console's "test connection" and "pick a model" actions: both call the
// provider's endpoint with a decrypted key. An upstream message could echo
// the key back, so every message that leaves here has it masked.

type Deps = Pick<Services, 'prisma' | 'audit' | 'keyVault'>;

async function providerFor(s: Deps, providerId: string): Promise<Provider> {
  const provider = await s.prisma.provider.findUnique({ where: { id: providerId } });
  if (!provider) throw AppError.notFound('Provider');
  return provider;
}

const mask = (text: string, secret: string | null, hint: string | null) => (secret ? text.split(secret).join(hint ?? '[redacted]') : text);

/** Lists the endpoint's models with the newest enabled key (or `keyId`) and reports how that went; audited as a key use. */
export async function testProviderConnection(s: Deps, ctx: CommandContext, providerId: string, keyId?: string): Promise<ConnectionCheck> {
  authorize(ctx.actor, 'provider.manage');
  const provider = await providerFor(s, providerId);
  const { endpoint, key } = await providerEndpoint(s, provider, { keyId, purpose: 'test', recordUse: false });
  const check = await createChatProvider(endpoint).testConnection();
  const result: ConnectionCheck = check.error === undefined ? check : { ...check, error: mask(check.error, endpoint.apiKey, key?.hint ?? null) };
  const outcome = { ok: result.ok, latencyMs: result.latencyMs, ...(result.error ? { error: result.error.slice(0, 500) } : {}) };
  if (key) await recordKeyUse(s, key, { purpose: 'test', actor: auditActor(ctx.actor), outcome, meta: ctx.meta });
  else await s.audit.record({ actor: auditActor(ctx.actor), action: 'provider.test', resource: { type: 'provider', id: providerId }, newValues: outcome, meta: ctx.meta });
  return result;
}

/** The model names the endpoint offers, so an admin can pick rather than type. */
export async function listRemoteModels(s: Deps, ctx: CommandContext, providerId: string): Promise<string[]> {
  authorize(ctx.actor, 'provider.manage');
  const provider = await providerFor(s, providerId);
  const { endpoint, key } = await providerEndpoint(s, provider, { purpose: 'list-models' });
  try {
    return await createChatProvider(endpoint).listModels(AbortSignal.timeout(15_000));
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    throw new AppError('upstream_failed', `The provider did not list its models: ${mask(error.message, endpoint.apiKey, key?.hint ?? null)}`, { failure: error.failure });
  }
}
