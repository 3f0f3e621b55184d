import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express, { type Router } from 'express';
import { createMcpServer } from '../../../integrations/mcp/mcpServer.js';
import { requestMeta, type Services } from '../../../services.js';

// MCP over Streamable HTTP at /api/mcp, stateless: each POST carries its own
// bearer token (a personal access token with the `mcp` scope), is answered by
// a server made for that person, and leaves nothing behind. Without sessions
// there is no server-initiated stream, so GET and DELETE are not offered.

export function mcpRouter(s: Services): Router {
  const router = express.Router();
  router.post('/', async (req, res) => {
    const actor = await s.authenticate(req, false, 'mcp');
    const server = createMcpServer(s, actor, requestMeta(req));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  router.all('/', (_req, res) => {
    res.status(405).set('Allow', 'POST').json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP server is stateless; use POST' }, id: null });
  });
  return router;
}
