import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { eventually, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';
import { startHandbookServer, type HandbookServer } from './handbookServer.js';

// Atrium's MCP server with the official MCP client from @modelcontextprotocol/sdk
// over Streamable HTTP, authenticated by a personal access token: initialise,
// list the tools, call each one as the token's user (policies, quotas, usage,
// audit), and refuse a token without the `mcp` scope.

const HANDBOOK = [
  'Holiday policy. Every employee receives twenty-seven days of paid holiday per calendar year.',
  '',
  'Expenses policy. Receipts must be submitted within thirty days of purchase.',
].join('\n');

type ToolResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };

describe(`MCP server through the official MCP client (${engineName})`, () => {
  let server: HandbookServer;
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let staff: { id: string; token: string };
  let assistantId: string;
  let hiddenId: string;
  let mcpToken: { id: string; token: string };
  let client: Client;

  async function connect(token: string): Promise<Client> {
    const c = new Client({ name: 'atrium-tests', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return c;
  }

  beforeAll(async () => {
    server = await startHandbookServer(HANDBOOK);
    ({ t, admin, staff, assistantId, hiddenId } = server);
    mcpToken = (await t.json(staff.token, 'POST', '/api/v1/me/tokens', { name: 'claude-desktop', scopes: ['mcp'] })).body;
    client = await connect(mcpToken.token);
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await server.close();
  });

  it('initialises and lists the three tools with their input schemas', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'atrium' });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['ask_assistant', 'list_assistants', 'search_knowledge']);
    const search = tools.find((tool) => tool.name === 'search_knowledge')!;
    expect(search.inputSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['assistant', 'query']) });
    expect(Object.keys(search.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['assistant', 'query', 'top_k']));
  });

  it('list_assistants: only the assistants the token’s user may use', async () => {
    const result = (await client.callTool({ name: 'list_assistants', arguments: {} })) as ToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.assistants).toEqual([{ id: assistantId, name: 'HR handbook', description: 'HR policies' }]);
  });

  it('search_knowledge: passages with file, page and score; an assistant the user may not use is refused', async () => {
    const result = (await client.callTool({ name: 'search_knowledge', arguments: { assistant: assistantId, query: 'How many days of paid holiday?', top_k: 2 } })) as ToolResult;
    expect(result.isError).toBeFalsy();
    const [best] = result.structuredContent.passages;
    expect(best).toMatchObject({ file: 'handbook.txt', page: null, score: expect.any(Number) });
    expect(best.passage).toContain('twenty-seven days');
    expect(result.content[0]!.text).toContain('[1] handbook.txt');

    const refused = (await client.callTool({ name: 'search_knowledge', arguments: { assistant: hiddenId, query: 'anything' } })) as ToolResult;
    expect(refused).toMatchObject({ isError: true, content: [{ type: 'text', text: 'Assistant not found' }] });
  });

  it('ask_assistant: an answer with its sources, stored as an MCP conversation, with usage and audit naming the token', async () => {
    t.openai.chat.script({ text: 'Receipts are due within thirty days [1].' });
    const result = (await client.callTool({ name: 'ask_assistant', arguments: { assistant: assistantId, question: 'When are expense receipts due?' } })) as ToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ answer: 'Receipts are due within thirty days [1].', sources: [expect.objectContaining({ file: 'handbook.txt' })] });
    expect(result.content[0]!.text).toMatch(/thirty days \[1\]\.\n\nSources:\n\[1\] handbook\.txt/);

    const prisma = t.server.services.prisma;
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: result.structuredContent.conversationId } });
    expect(conversation).toMatchObject({ userId: staff.id, source: 'mcp' });
    const usage = await eventually(() => prisma.usageLog.findFirst({ where: { conversationId: conversation.id } }));
    expect(usage).toMatchObject({ userId: staff.id, source: 'mcp', tokenId: mcpToken.id, tokenName: 'claude-desktop', outcome: 'success' });

    const audit = await prisma.auditLog.findMany({ where: { action: { startsWith: 'mcp.' }, actorId: staff.id }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['mcp.list_assistants', 'mcp.search_knowledge', 'mcp.ask_assistant']));
    const ask = audit.filter((e) => e.action === 'mcp.ask_assistant').at(-1)!;
    expect(ask).toMatchObject({ resourceType: 'assistant', resourceId: assistantId, actorToken: { id: mcpToken.id, name: 'claude-desktop' }, newValues: { outcome: 'ok' } });
    expect((await t.server.services.audit.verify()).ok).toBe(true);
  });

  it('ask_assistant: under the user’s quotas', async () => {
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: staff.id, requestsPerMinute: 1 });
    try {
      t.openai.chat.script({ text: 'First.' });
      expect(((await client.callTool({ name: 'ask_assistant', arguments: { assistant: assistantId, question: 'One?' } })) as ToolResult).isError).toBeFalsy();
      const refused = (await client.callTool({ name: 'ask_assistant', arguments: { assistant: assistantId, question: 'Two?' } })) as ToolResult;
      expect(refused.isError).toBe(true);
      expect(refused.content[0]!.text).toMatch(/quota|limit/i);
      const entry = await t.server.services.prisma.auditLog.findFirst({ where: { action: 'mcp.ask_assistant' }, orderBy: { id: 'desc' } });
      expect(entry!.newValues).toEqual({ outcome: 'quota_exceeded' });
    } finally {
      await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
    }
  });

  it('refuses a token without the mcp scope, and a revoked one', async () => {
    const chatOnly = (await t.json(staff.token, 'POST', '/api/v1/me/tokens', { name: 'chat-only', scopes: ['chat', 'knowledge:read'] })).body;
    await expect(connect(chatOnly.token)).rejects.toThrow(/lacks the .{0,2}"?mcp.{0,2}"? scope/);
    const raw = await fetch(`${t.url}/api/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${chatOnly.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(raw.status).toBe(403);

    const spare = (await t.json(staff.token, 'POST', '/api/v1/me/tokens', { name: 'spare', scopes: ['mcp'] })).body;
    const spareClient = await connect(spare.token);
    await spareClient.listTools();
    await t.json(staff.token, 'DELETE', `/api/v1/me/tokens/${spare.id}`);
    await expect(spareClient.listTools()).rejects.toThrow(/revoked/);
    await spareClient.close();
  });
});
