import { z } from 'zod';

// Provider and key inputs. Keys are write-only: they appear in request
// bodies here and in no response schema anywhere.

const ProviderName = z.string().trim().min(1).max(100);
const ProviderKindEnum = z.enum(['openai_compatible', 'anthropic']);
/** http(s) only: the server calls this URL with the key, so no file:, data: or other schemes. */
const BaseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(2000)
  .transform((u) => u.replace(/\/+$/, ''))
  .nullable()
  .describe("The API's base URL, e.g. https://api.openai.com/v1 or http://ollama:11434/v1; null for the provider's public default");

export const CreateProviderBody = z
  .object({ name: ProviderName, kind: ProviderKindEnum, baseUrl: BaseUrl.optional(), enabled: z.boolean().optional() })
  .strict()
  .meta({ id: 'ProviderCreate' });

export const UpdateProviderBody = z
  .object({ name: ProviderName.optional(), kind: ProviderKindEnum.optional(), baseUrl: BaseUrl.optional(), enabled: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'ProviderUpdate' });

/** A secret as pasted: surrounding whitespace dropped, no whitespace or control characters inside. */
const Secret = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(4096)
  .regex(/^[\x21-\x7e]+$/, 'must be printable characters without spaces');

const KeyLabel = z.string().trim().min(1).max(100);

export const CreateApiKeyBody = z.object({ label: KeyLabel.optional(), apiKey: Secret.describe('Write-only; never returned') }).strict().meta({ id: 'ApiKeyCreate' });

export const UpdateApiKeyBody = z
  .object({ enabled: z.boolean().optional(), label: KeyLabel.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'ApiKeyUpdate' });

export const RotateApiKeyBody = z.object({ apiKey: Secret.describe('The new secret; write-only') }).strict().meta({ id: 'ApiKeyRotate' });

export const TestProviderBody = z
  .object({ keyId: z.uuid().optional().describe("A key to test; default the provider's newest enabled key") })
  .strict()
  .meta({ id: 'ProviderTest' });

export const KeyParams = z.object({ id: z.uuid({ error: 'must be a UUID' }), keyId: z.uuid({ error: 'must be a UUID' }) });

export const ConnectionCheckView = z
  .object({ ok: z.boolean(), latencyMs: z.number().int(), models: z.array(z.string()).optional(), error: z.string().optional() })
  .meta({ id: 'ConnectionCheck' });

export const RemoteModelsView = z.object({ data: z.array(z.string()) }).meta({ id: 'RemoteModels' });
