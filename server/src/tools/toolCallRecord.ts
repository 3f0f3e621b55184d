import { z } from 'zod';

/**
 * One tool call of an answer as stored with the message (in call order) and
 * shown to the user: what was asked, what came back, how long it took.
 * Arguments and results stay here, never in the audit log (they may hold
 * personal data).
 */
export const ToolCallRecord = z
  .object({
    id: z.string().describe("The model's id for the call"),
    tool: z.string().describe('The name the model called it by (`server__tool` for an MCP tool)'),
    displayName: z.string().optional().describe("The tool's own name on its MCP server, for people; absent for built-in tools"),
    server: z.string().nullable().describe('The MCP server that ran it; null for built-in tools'),
    status: z
      .enum(['awaiting_approval', 'running', 'done', 'failed', 'denied'])
      .describe('awaiting_approval: an "ask first" call waiting for the user; denied: the user said no, or did not answer in time'),
    approval: z
      .object({
        decision: z.enum(['pending', 'allowed', 'denied', 'timed_out', 'stopped']),
        expiresAt: z.string().describe('When no reply counts as a denial (ISO 8601)'),
      })
      .optional()
      .describe('Only for "ask first" calls: the user’s decision'),
    arguments: z.unknown().describe('The arguments the model wrote (as parsed JSON, or the raw text when it was not JSON)'),
    result: z.string().nullable().describe('What the tool returned (truncated to the size limit, with a note)'),
    error: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    step: z.number().int().describe('Which model call of the answer asked for it, from 1'),
    offset: z.number().int().describe('How many characters of the answer text came before the call, to place it in the text'),
  })
  .meta({ id: 'ToolCall' });
export type ToolCallRecord = z.infer<typeof ToolCallRecord>;

// Built once: building a zod schema costs more than parsing a short array with it.
const ToolCallRecords = z.array(ToolCallRecord);

/** Stored tool calls as read back from the database: anything that no longer parses is dropped, not thrown. */
export function storedToolCalls(value: unknown): ToolCallRecord[] {
  // Most messages made no call (null); a failed parse builds its issues, which every message read would pay for.
  if (value === null || value === undefined) return [];
  const parsed = ToolCallRecords.safeParse(value);
  return parsed.success ? parsed.data : [];
}
