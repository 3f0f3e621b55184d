import { z } from 'zod';
import type { ApiKey, Provider } from '../../db/generated/client.js';

// A provider as clients see it: its keys only by hint and dates. Ciphertext,
// IVs, tags, wrapped data keys and master key ids never leave the server.

export const ApiKeyView = z
  .object({
    id: z.uuid(),
    label: z.string(),
    hint: z.string().describe('Masked, e.g. sk-…abcd'),
    enabled: z.boolean(),
    lastUsedAt: z.string().nullable(),
    rotatedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ApiKey' });

export const ProviderView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['openai_compatible', 'anthropic']),
    baseUrl: z.string().nullable(),
    enabled: z.boolean(),
    keys: z.array(ApiKeyView),
    modelCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Provider' });

/** The columns a key view needs; selecting only these keeps key material out of memory too. */
export const apiKeyViewSelect = { id: true, label: true, hint: true, enabled: true, lastUsedAt: true, rotatedAt: true, createdAt: true } as const;

export const providerWithKeys = {
  apiKeys: { select: apiKeyViewSelect, orderBy: { createdAt: 'desc' } },
  _count: { select: { models: true } },
} as const;

type KeySummary = Pick<ApiKey, keyof typeof apiKeyViewSelect>;

export function presentApiKey(key: KeySummary): z.infer<typeof ApiKeyView> {
  return {
    id: key.id,
    label: key.label,
    hint: key.hint,
    enabled: key.enabled,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    rotatedAt: key.rotatedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
  };
}

export function presentProvider(p: Provider & { apiKeys: KeySummary[]; _count: { models: number } }): z.infer<typeof ProviderView> {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    baseUrl: p.baseUrl,
    enabled: p.enabled,
    keys: p.apiKeys.map(presentApiKey),
    modelCount: p._count.models,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
