import { readEvents, startChatServer, eventually, type ChatTestServer, type SseEvent } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';
import { startToolTestServer, TOOL_SERVER_KEY, type ToolTestServer } from './toolTestServer.js';

// MCP tool servers end to end: an admin registers a real MCP server (the
// official SDK on loopback) with a sealed API-key header, tests it, switches a
// tool off and chooses who may use it; assistants then offer its tools to the
// model (the OpenAI protocol test server) for members of those groups only,
// and Atrium calls them through the official MCP client, bounded in time and
// size, and keeps answering when the server goes down.

describe(`MCP tool servers (${engineName})`, () => {
  let t: ChatTestServer;
  let mcp: ToolTestServer;
  let admin: { id: string; token: string };
  let fan: { id: string; token: string };
  let outsider: { id: string; token: string };
  let assistantId: string;
  let serverId: string;

  beforeAll(async () => {
    mcp = await startToolTestServer();
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    fan = await t.login({ role: 'user' });
    outsider = await t.login({ role: 'user' });
    const fans = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Sales' })).body.id;
    const others = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Reception' })).body.id;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${fans}/members/${fan.id}`, { role: 'member' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${others}/members/${outsider.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Order desk', groupIds: [fans, others], builtinTools: ['current_time'] })).body.id;

    const created = await t.json(admin.token, 'POST', '/api/v1/tool-servers', {
      name: 'Orders',
      url: mcp.url,
      headers: { 'X-Api-Key': TOOL_SERVER_KEY },
      groupIds: [fans],
      assistantIds: [assistantId],
      disabledTools: ['huge'],
    });
    expect(created.status).toBe(201);
    serverId = created.body.id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await mcp?.close();
  });

  async function ask(user: { token: string }, content: string): Promise<SseEvent[]> {
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    const res = await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content }, { accept: 'text/event-stream' });
    return readEvents(res);
  }
  const offered = () => (t.openai.chatRequests().at(-1)!.body.tools ?? []).map((tool) => tool.function.name).sort();

  it('keeps the header value write-only and lists the server’s tools on test', async () => {
    const listed = await t.json(admin.token, 'GET', '/api/v1/tool-servers');
    expect(listed.body).toEqual([expect.objectContaining({ name: 'Orders', headerNames: ['X-Api-Key'], groupIds: expect.any(Array), assistantIds: [assistantId], disabledTools: ['huge'] })]);
    expect(JSON.stringify(listed.body)).not.toContain(TOOL_SERVER_KEY);
    const row = await t.server.services.prisma.toolServer.findUniqueOrThrow({ where: { id: serverId } });
    expect(Buffer.from(row.ciphertext!).toString('utf8')).not.toContain(TOOL_SERVER_KEY);

    const test = await t.json(admin.token, 'POST', `/api/v1/tool-servers/${serverId}/test`);
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: true, error: null });
    expect(test.body.tools.map((tool: { name: string; enabled: boolean }) => [tool.name, tool.enabled]).sort()).toEqual([
      ['cancel_order', true],
      ['flaky', true],
      ['huge', false],
      ['lookup_order', true],
      ['slow', true],
    ]);
    const audits = await t.server.services.prisma.auditLog.findMany({ where: { action: { startsWith: 'tool_server.' } } });
    expect(audits.map((a) => a.action)).toEqual(['tool_server.create']);
    expect(JSON.stringify(audits.map((a) => [a.oldValues, a.newValues]))).not.toContain(TOOL_SERVER_KEY);
  });

  it('reports a server it cannot reach, or one that refuses the key, without throwing', async () => {
    const wrongKey = await t.json(admin.token, 'POST', '/api/v1/tool-servers', { name: 'Orders without key', url: mcp.url });
    const test = await t.json(admin.token, 'POST', `/api/v1/tool-servers/${wrongKey.body.id}/test`);
    expect(test.body).toMatchObject({ ok: false, tools: [] });
    expect(test.body.error).toMatch(/could not be reached or failed/);
    expect(mcp.refused).toBeGreaterThan(0);
    await t.json(admin.token, 'DELETE', `/api/v1/tool-servers/${wrongKey.body.id}`);
  });

  it('offers the server’s enabled tools to members of its groups, and runs them with the sealed header', async () => {
    t.openai.chat.script({ text: '', toolCalls: [{ id: 'call_1', name: 'Orders__lookup_order', arguments: { id: 'A-1' } }] }, { text: 'Order A-1 has shipped.' });
    const events = await ask(fan, 'Where is order A-1?');
    const message = events.at(-1)!.data.message;
    expect(message).toMatchObject({ status: 'complete', content: 'Order A-1 has shipped.' });
    expect(message.toolCalls[0]).toMatchObject({ tool: 'Orders__lookup_order', displayName: 'lookup_order', server: 'Orders', status: 'done', result: 'Order A-1: shipped on 2026-11-30, 3 items.' });
    expect(mcp.calls.at(-1)).toEqual({ tool: 'lookup_order', args: { id: 'A-1' } });
    // The first model call of that answer offered the built-in tool and the enabled MCP tools, not the switched-off one.
    const first = t.openai.chatRequests().at(-2)!.body.tools!.map((tool) => tool.function.name).sort();
    expect(first).toEqual(['Orders__cancel_order', 'Orders__flaky', 'Orders__lookup_order', 'Orders__slow', 'current_time']);
    const described = t.openai.chatRequests().at(-2)!.body.tools!.find((tool) => tool.function.name === 'Orders__lookup_order')!.function;
    expect(described.parameters).toMatchObject({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });

    const audit = await eventually(() => t.server.services.prisma.auditLog.findMany({ where: { action: 'tool.call', resourceId: message.id } }), (rows) => rows.length > 0);
    expect(audit[0]!.newValues).toMatchObject({ tool: 'Orders__lookup_order', server: 'Orders', outcome: 'done' });
  });

  it('never offers the server’s tools to someone outside its groups', async () => {
    t.openai.chat.script({ text: 'No CRM for you.' });
    await ask(outsider, 'Where is order A-1?');
    expect(offered()).toEqual(['current_time']);
  });

  it('passes a tool’s error on to the model, and cuts a call that takes too long', async () => {
    await t.json(admin.token, 'PUT', '/api/v1/settings/tools', { maxSteps: 5, callTimeoutMs: 1000, maxResultChars: 20_000 });
    try {
      t.openai.chat.script({ text: '', toolCalls: [{ name: 'Orders__flaky', arguments: {} }, { name: 'Orders__slow', arguments: {} }] }, { text: 'Both failed.' });
      const started = Date.now();
      const message = (await ask(fan, 'Try the CRM.')).at(-1)!.data.message;
      expect(Date.now() - started).toBeLessThan(9_000);
      expect(message.toolCalls.map((c: { tool: string; status: string; error: string }) => [c.tool, c.status, c.error])).toEqual([
        ['Orders__flaky', 'failed', 'The CRM database is in maintenance.'],
        ['Orders__slow', 'failed', 'The tool did not answer within 1 s.'],
      ]);
      expect(message.status).toBe('complete');
    } finally {
      await t.json(admin.token, 'PUT', '/api/v1/settings/tools', { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 20_000 });
    }
  });

  it('stops a running tool call, and the answer, when the user presses Stop', async () => {
    const slowCalls = () => mcp.calls.filter((c) => c.tool === 'slow').length;
    const slowBefore = slowCalls();
    t.openai.chat.script({ text: '', toolCalls: [{ name: 'Orders__slow', arguments: {} }] });
    const conversationId = (await t.json(fan.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    const modelCalls = t.openai.chatRequests().length;
    const events = readEvents(await t.api(fan.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'Take your time.' }, { accept: 'text/event-stream' }));
    await eventually(slowCalls, (n) => n === slowBefore + 1, 10_000);

    const stoppedAt = Date.now();
    expect((await t.json(fan.token, 'POST', `/api/v1/conversations/${conversationId}/stop`)).body).toEqual({ stopped: true });
    const message = (await events).at(-1)!.data.message;
    expect(Date.now() - stoppedAt).toBeLessThan(5_000); // the tool would have taken 10 s
    expect(message.status).toBe('stopped');
    expect(message.toolCalls[0]).toMatchObject({ tool: 'Orders__slow', status: 'failed', error: 'Stopped by the user.' });
    expect(t.openai.chatRequests().length).toBe(modelCalls + 1); // no model call after the stop
  });

  it('offers a tool switched back on, and cuts its huge result', async () => {
    expect((await t.json(admin.token, 'PATCH', `/api/v1/tool-servers/${serverId}`, { disabledTools: [] })).status).toBe(200);
    t.openai.chat.script({ text: '', toolCalls: [{ name: 'Orders__huge', arguments: {} }] }, { text: 'That was long.' });
    const message = (await ask(fan, 'Give me everything.')).at(-1)!.data.message;
    expect(message.toolCalls[0].status).toBe('done');
    expect(message.toolCalls[0].result).toMatch(/\[Truncated: the result had 100,000 characters; only the first 20,000 are shown\.\]$/);
  });

  it('keeps answering when the server goes down: the call fails, then its tools are no longer offered', async () => {
    await mcp.close();
    // The tool list is still cached: the model asks, the call fails, the answer goes on.
    t.openai.chat.script({ text: '', toolCalls: [{ name: 'Orders__lookup_order', arguments: { id: 'B-2' } }] }, { text: 'The order system is down.' });
    const message = (await ask(fan, 'Where is order B-2?')).at(-1)!.data.message;
    expect(message).toMatchObject({ status: 'complete', content: 'The order system is down.' });
    expect(message.toolCalls[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/could not be reached or failed/) });

    // Once the list is fetched again, the unreachable server's tools are simply not offered.
    t.server.services.toolServers.forget(serverId);
    t.openai.chat.script({ text: 'Answered without the CRM.' });
    const next = (await ask(fan, 'Anything else?')).at(-1)!.data.message;
    expect(next).toMatchObject({ status: 'complete', content: 'Answered without the CRM.' });
    expect(offered()).toEqual(['current_time']);
  });

  it('refuses a bad address and staff', async () => {
    expect((await t.json(admin.token, 'POST', '/api/v1/tool-servers', { name: 'Files', url: 'file:///etc/passwd' })).status).toBe(400);
    expect((await t.json(admin.token, 'POST', '/api/v1/tool-servers', { name: 'orders', url: mcp.url })).status).toBe(409);
    expect((await t.json(fan.token, 'GET', '/api/v1/tool-servers')).status).toBe(403);
  });
});
