import { emitWithAck, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// The chat reserves quota before every model call: an exhausted limit is a 429
// over REST and the same error in the socket.io acknowledgement, naming the
// limit, what is left and when it resets; nothing is stored or sent upstream.

describe(`quotas in the chat (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let user: { id: string; token: string };
  let assistantId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    user = await t.login({ role: 'user' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Metered' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${user.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Metered', groupIds: [group.body.id], maxTokens: 200 })).body.id;
  });
  afterAll(() => t.close());

  it('answers within the limit, then refuses with 429 naming the limit, over REST and socket.io', async () => {
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: user.id, requestsPerMinute: 2 });
    expect(quota.status).toBe(201);
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id;
    for (const q of ['one', 'two']) expect((await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: q })).status).toBe(201);

    const upstreamBefore = t.openai.chatRequests().length;
    const messagesBefore = await t.server.services.prisma.message.count({ where: { conversationId } });
    const refused = await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'three' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { code: string; message: string; details: Record<string, unknown> } };
    expect(body.error).toMatchObject({
      code: 'quota_exceeded',
      message: expect.stringMatching(/limit/i),
      details: { scope: 'user', scopeId: user.id, limit: 'requestsPerMinute', limitValue: 2, remaining: 0, resetsAt: expect.any(String) },
    });
    expect(Date.parse(body.error.details.resetsAt as string)).toBeGreaterThan(Date.now());

    // The same refusal in the socket's acknowledgement, and for SSE clients before any stream starts.
    const socket = await t.socket(user.token);
    expect(await emitWithAck(socket, 'chat:send', { conversationId, content: 'four' })).toMatchObject({
      ok: false,
      error: { code: 'quota_exceeded', details: { limit: 'requestsPerMinute', remaining: 0 } },
    });
    const sse = await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'five' }, { accept: 'text/event-stream' });
    expect(sse.status).toBe(429);
    expect(sse.headers.get('content-type')).toMatch(/json/);

    expect(t.openai.chatRequests().length).toBe(upstreamBefore);
    expect(await t.server.services.prisma.message.count({ where: { conversationId } })).toBe(messagesBefore);
    await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
  });

  it('does not charge tokens for an answer the provider failed', async () => {
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'assistant', scopeId: assistantId, tokensPerDay: 100_000 });
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id;
    t.openai.chat.fail(500, 3);
    const failed = await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'this will fail' });
    expect(failed.status).toBe(502);
    let view = (await t.json(admin.token, 'GET', `/api/v1/quotas/${quota.body.id}`)).body;
    const day = JSON.stringify(view);
    expect(day).not.toMatch(/"used":[1-9]/);

    const ok = await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'this will work' });
    expect(ok.status).toBe(201);
    view = (await t.json(admin.token, 'GET', `/api/v1/quotas/${quota.body.id}`)).body;
    const spent = ok.body.message.usage.promptTokens + ok.body.message.usage.completionTokens;
    expect(JSON.stringify(view)).toContain(`"used":${spent}`);
  });
});
