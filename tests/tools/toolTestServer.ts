import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

// A real MCP server for the tests, built with the official SDK and served over
// Streamable HTTP on loopback (stateless, like many hosted servers). Its tools
// succeed, fail, hang and flood, and one changes data (for approvals); it insists on an API key header, and it can
// be shut down mid-conversation.

export const TOOL_SERVER_KEY = 'mcp-secret-key-0123456789';

export interface ToolTestServer {
  url: string;
  /** Requests refused for a missing or wrong key. */
  refused: number;
  /** Calls received, by tool. */
  calls: { tool: string; args: unknown }[];
  close(): Promise<void>;
}

function buildServer(record: ToolTestServer['calls']): McpServer {
  const server = new McpServer({ name: 'orders-crm', version: '1.0.0' });
  server.registerTool(
    'lookup_order',
    { description: 'Looks up an order by its id.', inputSchema: { id: z.string().describe('The order id, like A-1') } },
    async ({ id }) => {
      record.push({ tool: 'lookup_order', args: { id } });
      return { content: [{ type: 'text', text: `Order ${id}: shipped on 2026-11-30, 3 items.` }] };
    },
  );
  // The one a careful admin marks "ask first": it changes something.
  server.registerTool(
    'cancel_order',
    { description: 'Cancels an order.', inputSchema: { id: z.string().describe('The order id, like A-1') } },
    async ({ id }) => {
      record.push({ tool: 'cancel_order', args: { id } });
      return { content: [{ type: 'text', text: `Order ${id} cancelled.` }] };
    },
  );
  server.registerTool('flaky', { description: 'Always fails.', inputSchema: {} }, async () => {
    record.push({ tool: 'flaky', args: {} });
    return { isError: true, content: [{ type: 'text', text: 'The CRM database is in maintenance.' }] };
  });
  server.registerTool('slow', { description: 'Takes ten seconds.', inputSchema: {} }, async (_args, extra) => {
    record.push({ tool: 'slow', args: {} });
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      extra.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
    return { content: [{ type: 'text', text: 'finally' }] };
  });
  server.registerTool('huge', { description: 'Returns a very long text.', inputSchema: {} }, async () => {
    record.push({ tool: 'huge', args: {} });
    return { content: [{ type: 'text', text: 'x'.repeat(100_000) }] };
  });
  return server;
}

export async function startToolTestServer(): Promise<ToolTestServer> {
  const state: ToolTestServer = { url: '', refused: 0, calls: [], close: async () => undefined };
  const httpServer = http.createServer(async (req, res) => {
    if (req.headers['x-api-key'] !== TOOL_SERVER_KEY) {
      state.refused++;
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'missing or wrong X-Api-Key' }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const server = buildServer(state.calls);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/mcp`;
  state.close = () =>
    new Promise<void>((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    });
  return state;
}
