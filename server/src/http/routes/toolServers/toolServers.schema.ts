import type { StdioServerDeclaration } from '../../../config/index.js';
import { z } from 'zod';
import type { ToolServer } from '../../../db/generated/client.js';

const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be an HTTP header name');

const ToolServerFields = z.object({
  name: z.string().trim().min(1).max(100),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .describe('The server’s Streamable HTTP endpoint (http or https)'),
  enabled: z.boolean(),
  headers: z
    .record(HeaderName, z.string().max(8000))
    .nullable()
    .refine((h) => h === null || Object.keys(h).length <= 20, 'at most 20 headers')
    .describe('Sent with every request (an API key, say); write-only: replaces all headers, null removes them'),
  disabledTools: z.array(z.string().min(1).max(200)).max(500).describe('Tools of the server that are not offered'),
  askFirstTools: z.array(z.string().min(1).max(200)).max(500).describe('Tools whose every call waits for the asking user to allow it ("ask first")'),
  groupIds: z.array(z.uuid()).max(200).describe('The groups whose members may use the server (replaces the set)'),
  assistantIds: z.array(z.uuid()).max(500).describe('The assistants that offer its tools (replaces the set)'),
});

export const CreateToolServerBody = ToolServerFields.partial().required({ name: true, url: true }).strict().meta({ id: 'ToolServerCreate' });
export const UpdateToolServerBody = ToolServerFields.partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'ToolServerUpdate' });

export const ToolServerView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    url: z.string(),
    transport: z.enum(['http', 'stdio']).describe('stdio: a command on the host, declared by the operator (MCP_STDIO_SERVERS); its name, url and headers cannot change here'),
    command: z.string().nullable().describe('For a declared stdio server, the command line it runs (environment values are not shown); null for HTTP servers'),
    enabled: z.boolean(),
    headerNames: z.array(z.string()).describe('Which headers are set; their values are never returned'),
    disabledTools: z.array(z.string()),
    askFirstTools: z.array(z.string()),
    groupIds: z.array(z.uuid()),
    assistantIds: z.array(z.uuid()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ToolServer' });

export const ToolServerTestView = z
  .object({
    ok: z.boolean(),
    latencyMs: z.number().int(),
    tools: z.array(z.object({ name: z.string(), description: z.string(), enabled: z.boolean(), askFirst: z.boolean() })),
    error: z.string().nullable().describe('Why the server could not be reached or listed'),
  })
  .meta({ id: 'ToolServerTest' });

export function presentToolServer(
  server: ToolServer & { groups: { groupId: string }[]; assistants: { assistantId: string }[] },
  declarationOf: (name: string) => StdioServerDeclaration | undefined,
): z.infer<typeof ToolServerView> {
  const declaration = server.transport === 'stdio' ? declarationOf(server.name) : undefined;
  return {
    id: server.id,
    name: server.name,
    url: server.url,
    transport: server.transport === 'stdio' ? 'stdio' : 'http',
    command: server.transport !== 'stdio' ? null : declaration ? [declaration.command, ...declaration.args].join(' ') : '(no longer declared)',
    enabled: server.enabled,
    headerNames: server.headerNames,
    disabledTools: server.disabledTools,
    askFirstTools: server.askFirstTools,
    groupIds: server.groups.map((g) => g.groupId),
    assistantIds: server.assistants.map((a) => a.assistantId),
    createdAt: server.createdAt.toISOString(),
    updatedAt: server.updatedAt.toISOString(),
  };
}
