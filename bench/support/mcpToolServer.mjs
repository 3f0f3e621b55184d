#!/usr/bin/env node
// A real MCP server for the tool round-trip bench: the official SDK over
// Streamable HTTP (stateless, JSON responses), one tool that answers at once.
// Its own process, so its work does not share an event loop with what is
// measured. Prints `listening <port>` when ready.
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

function buildServer() {
  const server = new McpServer({ name: 'bench-orders', version: '1.0.0' });
  server.registerTool('lookup_order', { description: 'Looks up an order by its id.', inputSchema: { id: z.string() } }, async ({ id }) => ({
    content: [{ type: 'text', text: `Order ${id}: shipped on 2026-11-30, 3 items.` }],
  }));
  return server;
}

const httpServer = http.createServer(async (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const server = buildServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
});
httpServer.keepAliveTimeout = 60_000;
httpServer.listen(0, '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));
