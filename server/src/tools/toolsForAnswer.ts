import type { ToolServer } from '../db/generated/client.js';
import type { KnowledgeReader } from '../policies/knowledgeBases.js';
import type { Services } from '../services.js';
import { builtinTool } from './builtinTools.js';
import type { McpToolServers, RemoteTool } from './mcp/mcpToolServers.js';
import { BUILTIN_TOOL_NAMES, type AssistantTool, type BuiltinToolName } from './tool.js';

type AssistantWithTools = Parameters<typeof builtinTool>[2] & { builtinTools: readonly string[] };
type Deps = Pick<Services, 'settings' | 'retriever' | 'prisma' | 'logger'> & { toolServers: McpToolServers };

// Function names the providers accept: letters, digits, _ and -, at most 64.
const TOOL_NAME_LIMIT = 64;

/**
 * The tools an answer may offer its model, by name: the built-in tools the
 * assistant switched on, and the tools of enabled MCP servers that offer
 * themselves to this assistant and that one of the asking user's groups may
 * use. A tool missing here is never offered to the model. A server that
 * cannot be reached just has no tools this time.
 */
export async function toolsForAnswer(s: Deps, assistant: AssistantWithTools, actor: KnowledgeReader): Promise<Map<string, AssistantTool>> {
  const tools = new Map<string, AssistantTool>();
  for (const name of assistant.builtinTools) {
    if (!isBuiltinToolName(name)) continue;
    const tool = builtinTool(s, name, assistant, actor);
    tools.set(tool.definition.name, tool);
  }
  const groupIds = [...actor.groups.keys()];
  if (groupIds.length === 0 || !(await s.toolServers.anyEnabled(s.prisma))) return tools;
  const servers = await s.prisma.toolServer.findMany({
    where: { enabled: true, assistants: { some: { assistantId: assistant.id } }, groups: { some: { groupId: { in: groupIds } } } },
    orderBy: { name: 'asc' },
  });
  const listed = await Promise.all(
    servers.map(async (server) => {
      try {
        return { server, remote: await s.toolServers.tools(server) };
      } catch (error) {
        s.logger.warn({ toolServer: server.name, err: (error as Error).message }, 'tool server unavailable; its tools are not offered');
        return { server, remote: [] };
      }
    }),
  );
  for (const { server, remote } of listed) {
    for (const tool of remote) {
      if (server.disabledTools.includes(tool.name)) continue;
      const offered = mcpTool(s.toolServers, server, tool);
      if (!tools.has(offered.definition.name)) tools.set(offered.definition.name, offered);
    }
  }
  return tools;
}

function mcpTool(toolServers: McpToolServers, server: ToolServer, tool: RemoteTool): AssistantTool {
  return {
    origin: { kind: 'mcp', serverId: server.id, serverName: server.name, toolName: tool.name },
    definition: {
      name: offeredName(server.name, tool.name),
      description: `${tool.description || tool.name} (tool "${tool.name}" of ${server.name})`.slice(0, 1024),
      parameters: { type: 'object', ...tool.inputSchema },
    },
    askFirst: server.askFirstTools.includes(tool.name),
    run: (args, context) => toolServers.call(server, tool.name, args, context.signal),
  };
}

/** `server__tool`, in the characters every provider accepts, so two servers' tools of one name stay apart. */
export function offeredName(serverName: string, toolName: string): string {
  const clean = (text: string) => text.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return `${clean(serverName).slice(0, 24) || 'server'}__${clean(toolName)}`.slice(0, TOOL_NAME_LIMIT);
}

function isBuiltinToolName(name: string): name is BuiltinToolName {
  return (BUILTIN_TOOL_NAMES as readonly string[]).includes(name);
}
