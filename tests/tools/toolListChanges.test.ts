import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { eventually, readEvents, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// A tool server whose tool list changes while Atrium uses it: a stateful MCP
// server (the official SDK, sessions and a notification stream on loopback)
// that announces `notifications/tools/list_changed` when a tool is added.
// Atrium drops its cached list on the notification, so the next answer offers
// the new tool at once instead of after the cache's 30 seconds.

interface ChangingServer {
  url: string;
  /** Notification streams (GET) currently open: Atrium's listening session. */
  listening: () => number;
  addTool(name: string): void;
  close(): Promise<void>;
}

async function startChangingServer(first: string): Promise<ChangingServer> {
  const toolNames = [first];
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();
  const streams = new Set<http.ServerResponse>();
  const register = (server: McpServer, name: string) =>
    server.registerTool(name, { description: `The ${name} tool.`, inputSchema: {} }, async () => ({ content: [{ type: 'text', text: `${name} ran` }] }));

  const httpServer = http.createServer(async (req, res) => {
    const sessionId = req.headers['mcp-session-id'] as string | undefined;
    const existing = sessionId ? sessions.get(sessionId) : undefined;
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (!existing) return void res.writeHead(404).end();
      if (req.method === 'GET') {
        streams.add(res);
        res.on('close', () => streams.delete(res));
      }
      return existing.transport.handleRequest(req, res);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (existing) return existing.transport.handleRequest(req, res, body);
    if (!isInitializeRequest(body)) return void res.writeHead(400).end();
    const server = new McpServer({ name: 'changing', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
    for (const name of toolNames) register(server, name);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/mcp`,
    listening: () => streams.size,
    addTool(name) {
      toolNames.push(name);
      // Registering on a connected server sends notifications/tools/list_changed to its client.
      for (const { server } of sessions.values()) register(server, name);
    },
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}

describe(`tool lists refreshed on change notifications (${engineName})`, () => {
  let t: ChatTestServer;
  let mcp: ChangingServer;
  let user: { id: string; token: string };
  let assistantId: string;
  let serverId: string;

  beforeAll(async () => {
    mcp = await startChangingServer('first');
    t = await startChatServer({ CHAT_TITLES: 'false' });
    const admin = await t.login({ role: 'admin' });
    user = await t.login({ role: 'user' });
    const group = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Ops' })).body.id;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group}/members/${user.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Ops desk', groupIds: [group] })).body.id;
    const created = await t.json(admin.token, 'POST', '/api/v1/tool-servers', { name: 'Changing', url: mcp.url, groupIds: [group], assistantIds: [assistantId] });
    expect(created.status).toBe(201);
    serverId = created.body.id;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await mcp?.close();
  });

  async function offeredOnNextAnswer(): Promise<string[]> {
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    t.openai.chat.script({ text: 'Noted.' });
    await readEvents(await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'What can you do?' }, { accept: 'text/event-stream' }));
    return (t.openai.chatRequests().at(-1)!.body.tools ?? []).map((tool) => tool.function.name).sort();
  }

  it('offers a tool the server adds, on the next answer after its notification', async () => {
    expect(await offeredOnNextAnswer()).toEqual(['Changing__first']);
    // The listing opened a session that listens for changes.
    await eventually(async () => mcp.listening(), (n) => n === 1, 10_000);

    mcp.addTool('second');
    await eventually(offeredOnNextAnswer, (names) => names.includes('Changing__second'), 5_000);
    expect(await offeredOnNextAnswer()).toEqual(['Changing__first', 'Changing__second']);
  });

  it('closes the listening session when the server is removed', async () => {
    const admin = await t.login({ role: 'admin' });
    expect((await t.json(admin.token, 'DELETE', `/api/v1/tool-servers/${serverId}`)).status).toBe(204);
    await eventually(async () => mcp.listening(), (n) => n === 0, 10_000);
  });
});
