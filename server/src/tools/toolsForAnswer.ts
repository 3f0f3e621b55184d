import type { Services } from '../services.js';
import { builtinTool } from './builtinTools.js';
import { BUILTIN_TOOL_NAMES, type AssistantTool, type BuiltinToolName } from './tool.js';

type AssistantWithTools = Parameters<typeof builtinTool>[2] & { builtinTools: readonly string[] };

/**
 * The tools an answer may offer its model, by name. Only tools the assistant
 * has switched on, and (once tool servers exist) only those the asking user's
 * groups may use: a tool missing here is never offered to the model.
 */
export function toolsForAnswer(s: Pick<Services, 'settings' | 'retriever'>, assistant: AssistantWithTools): Map<string, AssistantTool> {
  const tools = new Map<string, AssistantTool>();
  for (const name of assistant.builtinTools) {
    if (!isBuiltinToolName(name)) continue;
    const tool = builtinTool(s, name, assistant);
    tools.set(tool.definition.name, tool);
  }
  return tools;
}

function isBuiltinToolName(name: string): name is BuiltinToolName {
  return (BUILTIN_TOOL_NAMES as readonly string[]).includes(name);
}
