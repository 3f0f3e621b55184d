import { z } from 'zod';

/** How far an answer may go with tools: model calls per answer, each call's time and result size, and how long an approval may wait. */
export const ToolSettings = z
  .object({
    maxSteps: z.number().int().min(1).max(20).describe('Model calls per answer, the last one without further tool calls'),
    callTimeoutMs: z.number().int().min(1000).max(300_000),
    maxResultChars: z.number().int().min(500).max(200_000),
    approvalTimeoutMs: z
      .number()
      .int()
      .min(1_000)
      .max(3_600_000)
      .default(120_000)
      .describe('How long an "ask first" call waits for the user to allow it; no reply counts as a denial'),
  })
  .strict()
  .meta({ id: 'ToolSettings' });
export type ToolSettings = z.infer<typeof ToolSettings>;

export const defaultToolSettings: ToolSettings = { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 20_000, approvalTimeoutMs: 120_000 };
