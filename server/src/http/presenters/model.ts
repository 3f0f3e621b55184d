import { z } from 'zod';
import type { Model, Provider } from '../../db/generated/client.js';

export const ModelView = z
  .object({
    id: z.uuid(),
    providerId: z.uuid(),
    providerName: z.string(),
    name: z.string().describe("The provider's own model name"),
    displayName: z.string().nullable(),
    kind: z.enum(['chat', 'embedding', 'rerank']),
    contextWindow: z.number().int(),
    maxOutputTokens: z.number().int().nullable(),
    vision: z.boolean().describe('Takes images as input (set by admins)'),
    enabled: z.boolean(),
    inputPricePerMTok: z.number().optional().describe('Price per million input tokens; admins only'),
    outputPricePerMTok: z.number().optional().describe('Price per million output tokens; admins only'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Model' });

export const modelWithProvider = { provider: { select: { name: true } } } as const;

/** Decimal(14,6) as a number: exact to the six stored decimals for any price a model may have. */
const price = (d: { toFixed(digits: number): string }) => Number(d.toFixed(6));

/** Prices are shown to those who manage models; everyone else sees what they may pick. */
export function presentModel(m: Model & { provider: Pick<Provider, 'name'> }, withPrices: boolean): z.infer<typeof ModelView> {
  return {
    id: m.id,
    providerId: m.providerId,
    providerName: m.provider.name,
    name: m.name,
    displayName: m.displayName,
    kind: m.kind,
    contextWindow: m.contextWindow,
    maxOutputTokens: m.maxOutputTokens,
    vision: m.vision,
    enabled: m.enabled,
    ...(withPrices ? { inputPricePerMTok: price(m.inputPricePerMTok), outputPricePerMTok: price(m.outputPricePerMTok) } : {}),
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}
