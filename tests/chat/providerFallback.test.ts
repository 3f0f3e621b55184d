import { readEvents, startChatServer, eventually, TEST_MODEL, isTitleRequest, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// An assistant's fallback model answers when its own model fails before the
// first token, through the real protocol servers: the OpenAI-compatible one
// as the assistant's model, the Anthropic one (another provider) as the
// fallback. What the user sees, what is stored, charged and audited.

describe(`provider fallback (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let primaryId: string;
  let fallbackId: string;
  let assistantId: string;

  beforeAll(async () => {
    // Retries are configured, so a single failed attempt below shows that the fallback replaces them.
    t = await startChatServer({ CHAT_TITLES: 'false', CHAT_RETRIES: '2', CHAT_TIMEOUT_SECONDS: '1' });
    admin = await t.login({ role: 'admin' });
    const models = await t.json(admin.token, 'GET', '/api/v1/models');
    primaryId = models.body.data.find((m: { name: string }) => m.name === TEST_MODEL).id;
    const provider = await t.json(admin.token, 'POST', '/api/v1/providers', { name: 'Claude', kind: 'anthropic', baseUrl: t.anthropic.baseUrl });
    await t.json(admin.token, 'POST', `/api/v1/providers/${provider.body.id}/keys`, { apiKey: 'sk-ant-test-key' });
    const model = await t.json(admin.token, 'POST', '/api/v1/models', {
      providerId: provider.body.id,
      name: 'claude-fallback-1',
      contextWindow: 200_000,
      inputPricePerMTok: 3,
      outputPricePerMTok: 15,
    });
    fallbackId = model.body.id;
    const assistant = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Resilient', modelId: primaryId, fallbackModelId: fallbackId });
    expect(assistant.status).toBe(201);
    expect(assistant.body.fallbackModelId).toBe(fallbackId);
    assistantId = assistant.body.id;
  });
  afterAll(() => t.close());

  async function ask(content: string) {
    const conversationId = (await t.json(admin.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    const res = await t.api(admin.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content }, { accept: 'text/event-stream' });
    return readEvents(res);
  }
  const primaryCalls = () => t.openai.chatRequests().filter((r) => !isTitleRequest({ ...r.body, stream: true } as never)).length;
  const fallbackCalls = () => t.anthropic.messageRequests().length;
  const usageOf = (messageId: string, count: number) =>
    eventually(
      () => t.server.services.prisma.usageLog.findMany({ where: { messageId }, orderBy: { createdAt: 'asc' } }),
      (rows) => rows.length >= count,
    );
  const fallbackAudits = (messageId: string) => t.server.services.prisma.auditLog.findMany({ where: { action: 'chat.fallback', resourceId: messageId } });

  it.each([
    ['down', 503, 'unavailable'],
    ['rate limited', 429, 'rate_limited'],
    ['refusing its key', 401, 'unauthorized'],
  ])('answers with the fallback when the model is %s before its first token', async (_what, status, failure) => {
    const [primaryBefore, fallbackBefore] = [primaryCalls(), fallbackCalls()];
    t.openai.chat.fail(status, 1, { retryAfter: '0' });
    t.anthropic.chat.script({ text: 'The fallback answers this one.', chunkDelayMs: 1 });
    const events = await ask(`Are you there? (${failure})`);

    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.message).toMatchObject({ content: 'The fallback answers this one.', status: 'complete', model: 'claude-fallback-1', fallbackFrom: TEST_MODEL });
    expect(events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('')).toBe('The fallback answers this one.');
    // One attempt on the assistant's model (its retries are the fallback), one on the fallback.
    expect(primaryCalls() - primaryBefore).toBe(1);
    expect(fallbackCalls() - fallbackBefore).toBe(1);
    // The fallback got the same conversation, in its own protocol.
    expect(t.anthropic.messageRequests().at(-1)!.body.messages.at(-1)).toEqual({ role: 'user', content: `Are you there? (${failure})` });

    const messageId = done.data.message.id as string;
    const usage = await usageOf(messageId, 2);
    expect(usage.map((u) => [u.modelName, u.outcome])).toEqual([
      [TEST_MODEL, 'error'],
      ['claude-fallback-1', 'success'],
    ]);
    expect([usage[0]!.promptTokens, usage[0]!.completionTokens, Number(usage[0]!.cost)]).toEqual([0, 0, 0]);
    expect(usage[1]!.modelId).toBe(fallbackId);
    expect(usage[1]!.completionTokens).toBeGreaterThan(0);
    expect(Number(usage[1]!.cost)).toBeCloseTo((usage[1]!.promptTokens * 3 + usage[1]!.completionTokens * 15) / 1e6, 6);

    const audits = await fallbackAudits(messageId);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: admin.id, resourceType: 'message' });
    expect(audits[0]!.newValues).toMatchObject({ assistantId, from: TEST_MODEL, to: 'claude-fallback-1', failure });

    // The stored answer, as the conversation shows it later, names both models.
    const stored = await t.server.services.prisma.message.findUniqueOrThrow({ where: { id: messageId } });
    expect([stored.model, stored.fallbackFrom]).toEqual(['claude-fallback-1', TEST_MODEL]);
  });

  it('does not fall back once a token is out: the text so far is kept and marked failed', async () => {
    const fallbackBefore = fallbackCalls();
    t.openai.chat.script({ text: 'Half an answer and then', errorAfterTokens: 3 });
    const events = await ask('fail halfway');
    const end = events.at(-1)!;
    expect(end.event).toBe('error');
    expect(end.data.message).toMatchObject({ status: 'error', model: TEST_MODEL, fallbackFrom: null });
    expect(end.data.message.content).toBe('Half an answer ');
    expect(fallbackCalls()).toBe(fallbackBefore);
    expect(await fallbackAudits(end.data.messageId)).toHaveLength(0);
    const usage = await usageOf(end.data.messageId, 1);
    expect(usage.map((u) => [u.modelName, u.outcome])).toEqual([[TEST_MODEL, 'error']]);
  });

  it('does not fall back on a request the provider rejects (another model would reject it too)', async () => {
    const fallbackBefore = fallbackCalls();
    t.openai.chat.fail(400, 1, { message: 'context too long' });
    const end = (await ask('too long')).at(-1)!;
    expect(end.event).toBe('error');
    expect(end.data.error.details.failure).toBe('rejected');
    expect(fallbackCalls()).toBe(fallbackBefore);
  });

  it('reports the first failure when the fallback fails too, and charges neither', async () => {
    t.openai.chat.fail(503);
    t.anthropic.chat.fail(529, 3);
    const end = (await ask('both down')).at(-1)!;
    expect(end.event).toBe('error');
    expect(end.data.message).toMatchObject({ status: 'error', model: 'claude-fallback-1', fallbackFrom: TEST_MODEL });
    const usage = await usageOf(end.data.messageId, 2);
    expect(usage.every((u) => u.outcome === 'error' && Number(u.cost) === 0)).toBe(true);
  });

  it('validates the fallback model: known, a chat model, not the model itself', async () => {
    const same = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { fallbackModelId: primaryId });
    expect(same.status).toBe(400);
    expect(same.body.error.details.issues[0].path).toBe('fallbackModelId');
    const unknown = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { fallbackModelId: '00000000-0000-4000-8000-000000000000' });
    expect([unknown.status, unknown.body.error.details.issues[0].path]).toEqual([400, 'fallbackModelId']);
    const cleared = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { fallbackModelId: null });
    expect([cleared.status, cleared.body.fallbackModelId]).toEqual([200, null]);
    // Without a fallback, the configured retries apply again.
    const before = primaryCalls();
    t.openai.chat.fail(503, 1).script({ text: 'Answer after a retry' });
    const done = (await ask('retry me')).at(-1)!;
    expect(done.data.message).toMatchObject({ content: 'Answer after a retry', model: TEST_MODEL, fallbackFrom: null });
    expect(primaryCalls() - before).toBe(2);
  });
});
