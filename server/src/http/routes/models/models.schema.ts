import { z } from 'zod';

const Price = z
  .number()
  .min(0)
  .max(99_999_999)
  .transform((p) => Math.round(p * 1e6) / 1e6)
  .describe('Per million tokens; up to 6 decimals are kept');

const ModelFields = {
  providerId: z.uuid(),
  name: z.string().trim().min(1).max(200).describe("The provider's own model name, e.g. gpt-4o-mini"),
  displayName: z.string().trim().min(1).max(200).nullable().optional(),
  kind: z.enum(['chat', 'embedding', 'rerank']).optional(),
  contextWindow: z.number().int().min(256).max(10_000_000).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).nullable().optional(),
  inputPricePerMTok: Price.optional(),
  outputPricePerMTok: Price.optional(),
  enabled: z.boolean().optional(),
  vision: z.boolean().optional().describe('The model takes images: attached images are sent to it as image parts (otherwise they are read by OCR)'),
};

export const CreateModelBody = z.object(ModelFields).strict().meta({ id: 'ModelCreate' });

export const UpdateModelBody = z
  .object({ ...ModelFields, providerId: ModelFields.providerId.optional(), name: ModelFields.name.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'ModelUpdate' });

export const ModelListQuery = z.object({
  all: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('Admins: every model of every kind, disabled ones and those of disabled providers too'),
  providerId: z.uuid().optional(),
});
