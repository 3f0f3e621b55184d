import { createToolServer, deleteToolServer, testToolServer, toolServerWithLinks, updateToolServer } from '../../../commands/tools/manageToolServers.js';
import { AppError } from '../../../errors/appError.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams } from '../../schemas/common.js';
import { CreateToolServerBody, presentToolServer, ToolServerTestView, ToolServerView, UpdateToolServerBody } from './toolServers.schema.js';

// MCP tool servers (admins): register, test, switch tools off, choose groups and assistants.
export function toolServerRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/tool-servers',
    summary: 'MCP tool servers, by name (header values are never returned)',
    tags: ['tools'],
    responses: { 200: { description: 'Every tool server', schema: ToolServerView.array() } },
    handler: async ({ actor }) => {
      authorize(actor, 'toolServer.manage');
      const rows = await s.prisma.toolServer.findMany({ include: toolServerWithLinks, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
      return { body: rows.map((row) => presentToolServer(row, (name) => s.toolServers.declarationOf(name))) };
    },
  });

  routes.add({
    method: 'post',
    path: '/tool-servers',
    summary: 'Register an MCP server reached over Streamable HTTP',
    tags: ['tools'],
    body: CreateToolServerBody,
    responses: { 201: { description: 'Created', schema: ToolServerView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: presentToolServer(await createToolServer(s, { actor, meta: requestMeta(req) }, body), (name) => s.toolServers.declarationOf(name)) }),
  });

  routes.add({
    method: 'get',
    path: '/tool-servers/:id',
    summary: 'One tool server',
    tags: ['tools'],
    params: IdParams,
    responses: { 200: { description: 'The tool server', schema: ToolServerView } },
    handler: async ({ actor, params }) => {
      authorize(actor, 'toolServer.manage');
      const server = await s.prisma.toolServer.findUnique({ where: { id: params.id }, include: toolServerWithLinks });
      if (!server) throw AppError.notFound('Tool server');
      return { body: presentToolServer(server, (name) => s.toolServers.declarationOf(name)) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/tool-servers/:id',
    summary: 'Change a tool server: address, headers (write-only), tools switched off, tools that ask the user first, groups, assistants',
    tags: ['tools'],
    params: IdParams,
    body: UpdateToolServerBody,
    responses: { 200: { description: 'The tool server', schema: ToolServerView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentToolServer(await updateToolServer(s, { actor, meta: requestMeta(req) }, params.id, body), (name) => s.toolServers.declarationOf(name)) }),
  });

  routes.add({
    method: 'delete',
    path: '/tool-servers/:id',
    summary: 'Remove a tool server (its tools stop being offered at once)',
    tags: ['tools'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteToolServer(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post',
    path: '/tool-servers/:id/test',
    summary: 'Connect to the server and list its tools (each marked enabled or not), or say what is wrong',
    tags: ['tools'],
    params: IdParams,
    responses: { 200: { description: 'How the connection went', schema: ToolServerTestView } },
    handler: async ({ actor, params, req }) => ({ body: await testToolServer(s, { actor, meta: requestMeta(req) }, params.id) }),
  });
}
