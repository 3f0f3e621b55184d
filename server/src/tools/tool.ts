import type { ToolDefinition } from '../chat/llm/chatProvider.js';

// What an assistant can call while it answers (SPEC "Tools and flows"): the
// built-in tools here, and later the tools of MCP servers an admin registered.
// The chat loop sees only this shape.

/** Where a tool comes from; shown to the user on each call and kept in the audit log. */
export type ToolOrigin = { kind: 'builtin' } | { kind: 'mcp'; serverId: string; serverName: string; toolName: string };

/** What a tool knows of the answer it serves. */
export interface ToolContext {
  userId: string;
  assistantId: string;
  /** Aborted by the user's stop or by the call's time limit. */
  signal: AbortSignal;
}

export interface AssistantTool {
  definition: ToolDefinition;
  origin: ToolOrigin;
  /** Each call waits for the asking user to allow it (an admin marked the tool "ask first"). */
  askFirst?: boolean;
  /** Runs the tool; the text returned goes to the model. Throws ToolFailure (or any error) to report a failure to the model. */
  run(args: Record<string, unknown>, context: ToolContext): Promise<string>;
}

/** A failure worth telling the model in its own words (bad arguments, nothing found upstream). */
export class ToolFailure extends Error {
  override name = 'ToolFailure';
}

/** The names of the built-in tools an assistant may switch on. */
export const BUILTIN_TOOL_NAMES = ['search_knowledge', 'current_time'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];
