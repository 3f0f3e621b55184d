import { eventually, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// Conversations belong to one user: listed, searched, renamed, archived,
// exported and deleted by them alone. Nobody else — another user, a manager,
// an admin — can read or touch them through any route.

describe(`conversations (${engineName})`, () => {
  let t: ChatTestServer;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let admin: { id: string; token: string };
  let assistantId: string;
  let groupId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    alice = await t.login({ role: 'user' });
    bob = await t.login({ role: 'user' });
    groupId = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Staff' })).body.id;
    for (const u of [alice, bob]) await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${u.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Helpdesk', groupIds: [groupId] })).body.id;
  });
  afterAll(() => t.close());

  const start = async (token: string, title?: string) => (await t.json(token, 'POST', '/api/v1/conversations', { assistantId, ...(title ? { title } : {}) })).body.id as string;
  const ask = (token: string, id: string, content: string) => t.json(token, 'POST', `/api/v1/conversations/${id}/messages`, { content });

  it('creates conversations only with assistants the user may use', async () => {
    const hidden = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Admins only' })).body.id;
    const refused = await t.json(alice.token, 'POST', '/api/v1/conversations', { assistantId: hidden });
    expect(refused.status).toBe(404);
    const created = await t.json(alice.token, 'POST', '/api/v1/conversations', { assistantId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ assistantId, title: 'New conversation', archived: false });
    expect((await t.json(alice.token, 'POST', '/api/v1/conversations', { assistantId: 'x' })).status).toBe(400);
  });

  it('lists the user’s own conversations, most recent first, with paging and archive filters', async () => {
    const user = await t.login({ role: 'user' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${user.id}`, { role: 'member' });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await start(user.token, `Conversation ${i}`));
    await ask(user.token, ids[1]!, 'bump this one to the top');
    const page1 = await t.json(user.token, 'GET', '/api/v1/conversations?pageSize=2');
    expect(page1.body.total).toBe(5);
    expect(page1.body.data.map((c: { id: string }) => c.id)).toEqual([ids[1], ids[4]]);
    const page3 = await t.json(user.token, 'GET', '/api/v1/conversations?pageSize=2&page=3');
    expect(page3.body.data.map((c: { id: string }) => c.id)).toEqual([ids[0]]);

    expect((await t.json(user.token, 'PATCH', `/api/v1/conversations/${ids[2]}`, { archived: true })).body.archived).toBe(true);
    expect((await t.json(user.token, 'GET', '/api/v1/conversations')).body.total).toBe(4);
    expect((await t.json(user.token, 'GET', '/api/v1/conversations?archived=true')).body.data.map((c: { id: string }) => c.id)).toEqual([ids[2]]);
    expect((await t.json(user.token, 'GET', '/api/v1/conversations?archived=all')).body.total).toBe(5);
    expect((await t.json(user.token, 'PATCH', `/api/v1/conversations/${ids[3]}`, { title: '  Renamed  ' })).body.title).toBe('Renamed');
    expect((await t.json(user.token, 'PATCH', `/api/v1/conversations/${ids[3]}`, {})).status).toBe(400);
    expect((await t.json(user.token, 'PATCH', `/api/v1/conversations/${ids[3]}`, { title: '' })).status).toBe(400);
  });

  it('searches the full text of the user’s own messages and titles, never someone else’s', async () => {
    const mine = await start(alice.token);
    await ask(alice.token, mine, 'How do I configure the photocopier toner cartridges?');
    const titled = await start(alice.token, 'Quarterly budget planning');
    const theirs = await start(bob.token);
    await ask(bob.token, theirs, 'Bob also asks about photocopier toner');

    const found = await t.json(alice.token, 'GET', `/api/v1/conversations?q=${encodeURIComponent('photocopier cartridge')}`);
    expect(found.body.data.map((c: { id: string }) => c.id)).toEqual([mine]);
    expect(found.body.data[0].snippet).toMatch(/photocopier/i);
    expect((await t.json(alice.token, 'GET', '/api/v1/conversations?q=budget')).body.data.map((c: { id: string }) => c.id)).toEqual([titled]);
    expect((await t.json(alice.token, 'GET', '/api/v1/conversations?q=zeppelin')).body).toMatchObject({ data: [], total: 0 });
    // Hostile search strings are just text.
    for (const q of ["'); DROP TABLE messages; --", '%_%', '!!! & | <->', '"unterminated']) {
      const res = await t.json(alice.token, 'GET', `/api/v1/conversations?q=${encodeURIComponent(q)}`);
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
    }
    expect((await t.json(bob.token, 'GET', '/api/v1/conversations?q=configure')).body.data).toEqual([]);
  });

  it('refuses every route on another user’s conversation as not found, for users and admins alike', async () => {
    const secret = await start(alice.token);
    const answer = (await ask(alice.token, secret, 'my private question')).body.message.id as string;
    for (const intruder of [bob, admin]) {
      const attempts: [string, string, unknown?][] = [
        ['GET', `/api/v1/conversations/${secret}`],
        ['PATCH', `/api/v1/conversations/${secret}`, { title: 'mine now' }],
        ['GET', `/api/v1/conversations/${secret}/export`],
        ['POST', `/api/v1/conversations/${secret}/messages`, { content: 'injected' }],
        ['POST', `/api/v1/conversations/${secret}/messages/${answer}/regenerate`],
        ['POST', `/api/v1/conversations/${secret}/messages/${answer}/edit`, { content: 'x' }],
        ['GET', `/api/v1/conversations/${secret}/messages/${answer}/stream`],
        ['POST', `/api/v1/conversations/${secret}/stop`],
        ['DELETE', `/api/v1/conversations/${secret}`],
      ];
      for (const [method, path, body] of attempts) {
        const res = await t.json(intruder.token, method, path, body);
        expect({ method, path, status: res.status, code: res.body?.error?.code }).toEqual({ method, path, status: 404, code: 'not_found' });
      }
      const listed = await t.json(intruder.token, 'GET', '/api/v1/conversations?archived=all&pageSize=200');
      expect(listed.body.data.map((c: { id: string }) => c.id)).not.toContain(secret);
    }
    const kept = await t.json(alice.token, 'GET', `/api/v1/conversations/${secret}`);
    expect(kept.body.messages.map((m: { content: string }) => m.content)).toEqual(['my private question', 'You asked: my private question']);
  });

  it('stops a user who lost access to the assistant from asking, but lets them read', async () => {
    const carol = await t.login({ role: 'user' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${carol.id}`, { role: 'member' });
    const id = await start(carol.token);
    await ask(carol.token, id, 'before');
    await t.json(admin.token, 'DELETE', `/api/v1/groups/${groupId}/members/${carol.id}`);
    // A fresh token carries the new memberships.
    const again = await t.json(carol.token, 'POST', `/api/v1/conversations/${id}/messages`, { content: 'after' });
    expect(again.status).toBe(403);
    expect((await t.json(carol.token, 'GET', `/api/v1/conversations/${id}`)).status).toBe(200);
  });

  it('exports a conversation as Markdown and as JSON', async () => {
    const id = await start(alice.token, 'Export me');
    await ask(alice.token, id, 'Question for the export');
    const md = await t.api(alice.token, 'GET', `/api/v1/conversations/${id}/export`);
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(md.headers.get('content-disposition')).toMatch(/attachment; filename="?export-me-\d{4}-\d\d-\d\d\.md"?/);
    const text = await md.text();
    expect(text).toContain('# Export me');
    expect(text).toContain('## You\n\nQuestion for the export');
    expect(text).toContain('## Helpdesk\n\nYou asked: Question for the export');
    const json = await t.api(alice.token, 'GET', `/api/v1/conversations/${id}/export?format=json`);
    const body = (await json.json()) as { title: string; assistant: string; messages: { role: string; content: string }[] };
    expect(body).toMatchObject({ title: 'Export me', assistant: 'Helpdesk' });
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect((await t.api(alice.token, 'GET', `/api/v1/conversations/${id}/export?format=pdf`)).status).toBe(400);
  });

  it('deletes a conversation with its messages, stopping an answer being written', async () => {
    const id = await start(alice.token);
    t.openai.chat.script({ text: Array.from({ length: 40 }, (_, i) => `d${i}`).join(' '), chunkDelayMs: 30 });
    const streaming = t.api(alice.token, 'POST', `/api/v1/conversations/${id}/messages`, { content: 'long' }, { accept: 'text/event-stream' });
    await eventually(() => t.server.services.generations.active(id));
    expect((await t.api(alice.token, 'DELETE', `/api/v1/conversations/${id}`)).status).toBe(204);
    await (await streaming).text();
    expect(await t.server.services.prisma.message.count({ where: { conversationId: id } })).toBe(0);
    expect((await t.json(alice.token, 'GET', `/api/v1/conversations/${id}`)).status).toBe(404);
    expect(t.server.services.generations.active(id)).toBeUndefined();
  });
});

describe(`an Anthropic provider end to end (${engineName})`, () => {
  let t: ChatTestServer;
  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
  });
  afterAll(() => t.close());

  it('answers through the Messages API with a key added in the console, and records its usage', async () => {
    const admin = await t.login({ role: 'admin' });
    t.anthropic.requiredKey = 'sk-ant-test-key';
    const provider = await t.json(admin.token, 'POST', '/api/v1/providers', { name: 'Claude', kind: 'anthropic', baseUrl: t.anthropic.baseUrl });
    expect(provider.status).toBe(201);
    expect((await t.json(admin.token, 'POST', `/api/v1/providers/${provider.body.id}/keys`, { apiKey: 'sk-ant-test-key' })).status).toBe(201);
    const model = await t.json(admin.token, 'POST', '/api/v1/models', { providerId: provider.body.id, name: 'claude-test-1', contextWindow: 200_000, inputPricePerMTok: 3, outputPricePerMTok: 15 });
    expect(model.status).toBe(201);
    const assistant = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Claude helper', modelId: model.body.id, instructions: 'Be concise.' });
    const conversationId = (await t.json(admin.token, 'POST', '/api/v1/conversations', { assistantId: assistant.body.id })).body.id;
    t.anthropic.chat.script({ text: 'Hello from the Messages API.', chunkDelayMs: 2 });
    const res = await t.json(admin.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'Say hello' });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ content: 'Hello from the Messages API.', model: 'claude-test-1', finishReason: 'stop', usage: { completionTokens: 5 } });
    const sent = t.anthropic.messageRequests().at(-1)!.body;
    expect(sent.system).toMatch(/^Be concise\./);
    expect(sent.messages).toEqual([{ role: 'user', content: 'Say hello' }]);
    const usage = await t.server.services.prisma.usageLog.findFirstOrThrow({ where: { messageId: res.body.message.id } });
    // 3 $/MTok in, 15 $/MTok out, from the provider's own counts.
    expect(Number(usage.cost)).toBeCloseTo((usage.promptTokens * 3 + usage.completionTokens * 15) / 1e6, 6);
    expect(usage.promptTokens).toBeGreaterThan(0);
  });
});
