import { z } from 'zod';

/** How far an answer may go with tools: model calls per answer, and each call's time and result size. */
export const ToolSettings = z
  .object({
    maxSteps: z.number().int().min(1).max(20).describe('Model calls per answer, the last one without further tool calls'),
    callTimeoutMs: z.number().int().min(1000).max(300_000),
    maxResultChars: z.number().int().min(500).max(200_000),
  })
  .strict()
  .meta({ id: 'ToolSettings' });
export type ToolSettings = z.infer<typeof ToolSettings>;

export const defaultToolSettings: ToolSettings = { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 20_000 };
