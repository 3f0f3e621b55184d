import { emitWithAck, eventually, readEvents, record, startChatServer, type ChatTestServer, type SseEvent } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';
import { startToolTestServer, TOOL_SERVER_KEY, type ToolTestServer } from './toolTestServer.js';

// "Ask first" tools end to end: an admin marks a tool of a real MCP server
// (official SDK, loopback) as ask first; when the model (the OpenAI protocol
// test server) asks for it, the answer pauses and asks its owner, over SSE
// (replying through the REST endpoint) and over socket.io (tool:approve).
// Allowed calls run; denied and timed-out ones are not run and the model is
// told so; nobody else may reply; Stop ends a pending approval.

describe(`"ask first" tool approvals (${engineName})`, () => {
  let t: ChatTestServer;
  let mcp: ToolTestServer;
  let admin: { id: string; token: string };
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let assistantId: string;
  let serverId: string;

  beforeAll(async () => {
    mcp = await startToolTestServer();
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    owner = await t.login({ role: 'user' });
    other = await t.login({ role: 'user' });
    const group = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Sales' })).body.id;
    for (const user of [owner, other]) await t.json(admin.token, 'PUT', `/api/v1/groups/${group}/members/${user.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Order desk', groupIds: [group] })).body.id;
    const created = await t.json(admin.token, 'POST', '/api/v1/tool-servers', {
      name: 'Orders',
      url: mcp.url,
      headers: { 'X-Api-Key': TOOL_SERVER_KEY },
      groupIds: [group],
      assistantIds: [assistantId],
    });
    serverId = created.body.id;
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await mcp?.close();
  });

  const newConversation = async (user: { token: string }) => (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
  const cancelCall = (id: string) => ({ text: '', toolCalls: [{ id, name: 'Orders__cancel_order', arguments: { id: 'A-1' } }] });
  const cancelled = () => mcp.calls.filter((c) => c.tool === 'cancel_order').length;
  /** What the model was handed back for the call, in the request after it. */
  const toolResultSeen = () => t.openai.chatRequests().at(-1)!.body.messages.find((m: { role: string }) => m.role === 'tool') as { content: string } | undefined;
  const approvalAudits = (messageId: string) => t.server.services.prisma.auditLog.findMany({ where: { action: 'tool.approval', resourceId: messageId } });
  const reply = (user: { token: string }, conversationId: string, messageId: string, callId: string, allow: boolean) =>
    t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages/${messageId}/tool-approvals/${callId}`, { allow });

  it('lets an admin mark a tool "ask first" and shows it in the test listing', async () => {
    const patched = await t.json(admin.token, 'PATCH', `/api/v1/tool-servers/${serverId}`, { askFirstTools: ['cancel_order'] });
    expect(patched.status).toBe(200);
    expect(patched.body.askFirstTools).toEqual(['cancel_order']);
    const test = await t.json(admin.token, 'POST', `/api/v1/tool-servers/${serverId}/test`);
    const flags = Object.fromEntries(test.body.tools.map((tool: { name: string; askFirst: boolean }) => [tool.name, tool.askFirst]));
    expect(flags).toMatchObject({ cancel_order: true, lookup_order: false });
    const audit = await t.server.services.prisma.auditLog.findFirst({ where: { action: 'tool_server.update', resourceId: serverId }, orderBy: { createdAt: 'desc' } });
    expect(audit!.newValues).toMatchObject({ askFirstTools: ['cancel_order'] });
  });

  it('over SSE: sends the approval request, runs the call once the owner allows it through the REST endpoint', async () => {
    t.openai.chat.script(cancelCall('call_sse'), { text: 'Order A-1 is cancelled.' });
    const conversationId = await newConversation(owner);
    const before = cancelled();
    const res = await t.api(owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'Cancel order A-1' }, { accept: 'text/event-stream' });
    let replied: Promise<{ status: number; body: any }> | null = null;
    const events = await readEvents(res, (event: SseEvent) => {
      if (event.event === 'approval') {
        // The tool has not run while the question is open.
        expect(cancelled()).toBe(before);
        replied = reply(owner, conversationId, event.data.messageId, event.data.approval.id, true);
      }
      return false;
    });
    const approval = events.find((e) => e.event === 'approval')!.data;
    expect(approval.approval).toMatchObject({ id: 'call_sse', tool: 'Orders__cancel_order', server: 'Orders', arguments: { id: 'A-1' }, expiresAt: expect.any(String) });
    expect(new Date(approval.approval.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const toolStates = events.filter((e) => e.event === 'tool').map((e) => e.data.call.status);
    expect(toolStates).toEqual(['awaiting_approval', 'running', 'done']);
    expect(await replied).toMatchObject({ status: 200, body: { callId: 'call_sse', decision: 'allowed' } });

    const message = events.at(-1)!.data.message;
    expect(events.at(-1)!.event).toBe('done');
    expect(message).toMatchObject({ status: 'complete', content: 'Order A-1 is cancelled.' });
    expect(message.toolCalls[0]).toMatchObject({ status: 'done', result: 'Order A-1 cancelled.', approval: { decision: 'allowed' } });
    expect(cancelled()).toBe(before + 1);
    expect(toolResultSeen()!.content).toBe('Order A-1 cancelled.');
    const audits = await eventually(() => approvalAudits(message.id), (rows) => rows.length === 1);
    expect(audits[0]).toMatchObject({ actorId: owner.id });
    expect(audits[0]!.newValues).toMatchObject({ tool: 'Orders__cancel_order', server: 'Orders', callId: 'call_sse', decision: 'allowed' });
    // Stored with the message, as history shows it.
    const stored = await t.server.services.prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(stored.toolCalls).toEqual([expect.objectContaining({ status: 'done', approval: expect.objectContaining({ decision: 'allowed' }) })]);
  });

  it('over socket.io: a denied call is not run, the model is told the user denied it, and it is stored as denied', async () => {
    const socket = await t.socket(owner.token);
    const seen = record(socket, ['chat:approval', 'chat:tool', 'chat:done', 'chat:error']);
    t.openai.chat.script(cancelCall('call_socket'), { text: 'I did not cancel it, as you asked.' });
    const conversationId = await newConversation(owner);
    const before = cancelled();
    const sent = await emitWithAck(socket, 'chat:send', { conversationId, content: 'Cancel order A-1' });
    expect(sent).toMatchObject({ ok: true });
    const asked = (await eventually(() => seen.find((e) => e.name === 'chat:approval')))!;
    expect(asked.payload).toMatchObject({ conversationId, messageId: sent.messageId, approval: { id: 'call_socket', tool: 'Orders__cancel_order', arguments: { id: 'A-1' } } });

    expect(await emitWithAck(socket, 'tool:approve', { conversationId, messageId: sent.messageId, callId: 'call_socket', allow: false })).toEqual({ ok: true, callId: 'call_socket', decision: 'denied' });
    const done = (await eventually(() => seen.find((e) => e.name === 'chat:done' || e.name === 'chat:error')))!;
    expect(done.name).toBe('chat:done');
    expect(done.payload.message).toMatchObject({ status: 'complete', content: 'I did not cancel it, as you asked.' });
    expect(done.payload.message.toolCalls[0]).toMatchObject({ status: 'denied', result: null, error: expect.stringMatching(/^The user denied this call/), approval: { decision: 'denied' } });
    expect(cancelled()).toBe(before);
    expect(toolResultSeen()!.content).toMatch(/^The user denied this call/);
    // Replying twice is refused: the call is no longer waiting.
    expect(await emitWithAck(socket, 'tool:approve', { conversationId, messageId: sent.messageId, callId: 'call_socket', allow: true })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const audits = await eventually(() => approvalAudits(sent.messageId), (rows) => rows.length === 1);
    expect(audits[0]!.newValues).toMatchObject({ decision: 'denied' });
    const calls = await t.server.services.prisma.auditLog.findMany({ where: { action: 'tool.call', resourceId: sent.messageId } });
    expect(calls[0]!.newValues).toMatchObject({ outcome: 'denied' });
  });

  it('refuses a reply from anyone but the answer’s owner, and counts no reply in time as a denial', async () => {
    await t.json(admin.token, 'PUT', '/api/v1/settings/tools', { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 20_000, approvalTimeoutMs: 1500 });
    try {
      t.openai.chat.script(cancelCall('call_late'), { text: 'No answer, so I left it.' });
      const conversationId = await newConversation(owner);
      const before = cancelled();
      const res = await t.api(owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'Cancel order A-1' }, { accept: 'text/event-stream' });
      const refusals: Promise<unknown>[] = [];
      const otherSocket = await t.socket(other.token);
      const events = await readEvents(res, (event) => {
        if (event.event === 'approval') {
          const { messageId } = event.data;
          refusals.push(reply(other, conversationId, messageId, 'call_late', true), reply(admin, conversationId, messageId, 'call_late', true));
          refusals.push(emitWithAck(otherSocket, 'tool:approve', { conversationId, messageId, callId: 'call_late', allow: true }));
        }
        return false;
      });
      const [byOther, byAdmin, overSocket] = (await Promise.all(refusals)) as [{ status: number; body: any }, { status: number; body: any }, any];
      expect(byOther).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(byAdmin).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
      expect(overSocket).toMatchObject({ ok: false, error: { code: 'not_found' } });

      const message = events.at(-1)!.data.message;
      expect(message.status).toBe('complete');
      expect(message.toolCalls[0]).toMatchObject({ status: 'denied', error: expect.stringMatching(/did not allow this call within 2 s/), approval: { decision: 'timed_out' } });
      expect(cancelled()).toBe(before);
      expect(toolResultSeen()!.content).toMatch(/did not allow this call within/);
      const audits = await eventually(() => approvalAudits(message.id), (rows) => rows.length === 1);
      expect(audits[0]!.newValues).toMatchObject({ decision: 'timed_out', waitedMs: expect.any(Number) });
      expect((audits[0]!.newValues as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(1400);
      // Too late now.
      expect(await reply(owner, conversationId, message.id, 'call_late', true)).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    } finally {
      await t.json(admin.token, 'PUT', '/api/v1/settings/tools', { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 20_000, approvalTimeoutMs: 120_000 });
    }
  });

  it('does not wait when nobody can be asked (the OpenAI-compatible API): the call is not run, and the model is told why', async () => {
    const pat = (await t.json(owner.token, 'POST', '/api/v1/me/tokens', { name: 'script', scopes: ['chat'] })).body;
    t.openai.chat.script(cancelCall('call_api'), { text: 'I could not cancel it from here.' });
    const before = cancelled();
    const started = Date.now();
    const res = await t.api(pat.token, 'POST', '/api/openai/v1/chat/completions', { model: assistantId, messages: [{ role: 'user', content: 'Cancel order A-1' }] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('I could not cancel it from here.');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(cancelled()).toBe(before);
    expect(toolResultSeen()!.content).toMatch(/no one to ask/);
  });

  it('ends a pending approval when the user stops the answer', async () => {
    const socket = await t.socket(owner.token);
    const seen = record(socket, ['chat:approval', 'chat:done', 'chat:error']);
    t.openai.chat.script(cancelCall('call_stop'), { text: 'never sent' });
    const conversationId = await newConversation(owner);
    const before = cancelled();
    const requests = t.openai.chatRequests().length;
    const sent = await emitWithAck(socket, 'chat:send', { conversationId, content: 'Cancel order A-1' });
    await eventually(() => seen.find((e) => e.name === 'chat:approval'));
    const started = Date.now();
    expect(await emitWithAck(socket, 'chat:stop', { conversationId })).toEqual({ ok: true, stopped: true });
    expect(Date.now() - started).toBeLessThan(5000);
    const done = (await eventually(() => seen.find((e) => e.name === 'chat:done' || e.name === 'chat:error')))!;
    expect(done.payload.message).toMatchObject({ id: sent.messageId, status: 'stopped' });
    expect(done.payload.message.toolCalls[0]).toMatchObject({ status: 'failed', error: 'Stopped by the user.', approval: { decision: 'stopped' } });
    expect(cancelled()).toBe(before);
    // Only the first model call was made: nothing went on after the stop.
    expect(t.openai.chatRequests().length).toBe(requests + 1);
    const audits = await eventually(() => approvalAudits(sent.messageId), (rows) => rows.length === 1);
    expect(audits[0]!.newValues).toMatchObject({ decision: 'stopped' });
  });
});
