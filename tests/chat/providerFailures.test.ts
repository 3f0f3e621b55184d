import { readEvents, startChatServer, eventually, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// What the user sees, what is stored and what is charged when the model
// provider misbehaves: retries before the first token, clear messages after,
// partial answers kept, nothing charged for a failure, and stop that cancels
// the upstream request.

describe(`provider failures and stop (${engineName})`, () => {
  let t: ChatTestServer;
  let user: { id: string; token: string };
  let assistantId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TIMEOUT_SECONDS: '1', CHAT_RETRIES: '1' });
    user = await t.login({ role: 'admin' });
    assistantId = (await t.json(user.token, 'POST', '/api/v1/assistants', { name: 'Fragile' })).body.id;
  });
  afterAll(() => t.close());

  async function ask(content: string) {
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    const res = await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content }, { accept: 'text/event-stream' });
    return { conversationId, events: await readEvents(res) };
  }
  const answerRequests = () => t.openai.chatRequests().filter((r) => !String(r.body.messages[0]?.content).startsWith('Write a title'));
  // Usage is written just after the client hears the end, so it is waited for.
  const usageOf = (messageId: string) => eventually(() => t.server.services.prisma.usageLog.findFirst({ where: { messageId } }));

  it('retries a 429 before the first token and then answers', async () => {
    const before = answerRequests().length;
    t.openai.chat.fail(429, 1, { retryAfter: '0' }).script({ text: 'Answer after a retry' });
    const { events } = await ask('retry me');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { message: { content: 'Answer after a retry', status: 'complete' } } });
    expect(answerRequests().length - before).toBe(2);
  });

  it('gives up after the retries with a clear message, stores the failure and charges nothing', async () => {
    const before = answerRequests().length;
    t.openai.chat.fail(503, 2);
    const { events } = await ask('fail me');
    expect(answerRequests().length - before).toBe(2);
    const error = events.at(-1)!;
    expect(error.event).toBe('error');
    expect(error.data.error).toEqual({ code: 'upstream_failed', message: expect.stringMatching(/could not be reached|stopped answering/), details: { failure: 'unavailable' } });
    expect(error.data.message).toMatchObject({ status: 'error', content: '', error: error.data.error.message });
    expect(await usageOf(error.data.messageId)).toMatchObject({ outcome: 'error', promptTokens: 0, completionTokens: 0 });
    expect(Number((await usageOf(error.data.messageId))!.cost)).toBe(0);
  });

  it('does not retry a refused key, and says an administrator must check it', async () => {
    const before = answerRequests().length;
    t.openai.chat.fail(401);
    const { events } = await ask('unauthorised');
    expect(answerRequests().length - before).toBe(1);
    expect(events.at(-1)!.data.error.message).toMatch(/administrator needs to check the API key/);
  });

  it('reports an upstream 429 that persists as rate limiting', async () => {
    t.openai.chat.fail(429, 2, { retryAfter: '0' });
    const { events } = await ask('busy');
    expect(events.at(-1)!.data.error).toMatchObject({ details: { failure: 'rate_limited' }, message: expect.stringMatching(/busy/) });
  });

  it('times out a model that sends nothing, within the configured limit', async () => {
    t.openai.chat.script({ text: 'late', firstTokenDelayMs: 4000 }, { text: 'late again', firstTokenDelayMs: 4000 });
    const started = Date.now();
    const { events } = await ask('slow');
    expect(events.at(-1)!.data.error).toMatchObject({ details: { failure: 'timeout' }, message: expect.stringMatching(/too long/) });
    expect(Date.now() - started).toBeLessThan(3900);
  });

  it('keeps the tokens that arrived when the stream is cut, without retrying (they were shown)', async () => {
    const before = answerRequests().length;
    t.openai.chat.script({ text: 'one two three four five six', disconnectAfterTokens: 3 });
    const { events } = await ask('cut');
    expect(answerRequests().length - before).toBe(1);
    const streamed = events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('');
    expect(streamed).toBe('one two three ');
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { message: { status: 'error', content: 'one two three ' } } });
  });

  it('stops an answer: the upstream request is cancelled, the partial answer kept and charged as stopped', async () => {
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    t.openai.chat.script({ text: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '), chunkDelayMs: 40 });
    const cancelledBefore = t.openai.chat.cancelled;
    const res = await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'long please' }, { accept: 'text/event-stream' });
    const reading = readEvents(res);
    await eventually(() => (t.server.services.generations.active(conversationId)?.snapshot().seq ?? 0) >= 3);
    const stop = await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/stop`);
    expect(stop).toEqual({ status: 200, body: { stopped: true } });
    const events = await reading;
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.message.status).toBe('stopped');
    expect(done.data.message.finishReason).toBe('stopped');
    const streamed = events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('');
    expect(done.data.message.content).toBe(streamed);
    expect(streamed.split(' ').length).toBeLessThan(60);
    await eventually(() => t.openai.chat.cancelled > cancelledBefore);
    const usage = await usageOf(done.data.message.id);
    expect(usage).toMatchObject({ outcome: 'stopped' });
    expect(usage!.completionTokens).toBeGreaterThan(0);
    // Nothing is left running: a new question is accepted.
    expect((await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'next' })).status).toBe(201);
    expect((await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/stop`)).body).toEqual({ stopped: false });
  });

  it('answers JSON clients with 502 and the same message when the provider fails', async () => {
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    t.openai.chat.fail(500, 2);
    const res = await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'json failure' });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'upstream_failed', details: { failure: 'unavailable' } });
  });

  it('marks answers cut off by a crash as failed at the next start', async () => {
    const { closeInterruptedAnswers } = await import('../../server/src/chat/interruptedAnswers.js');
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    const orphan = await t.server.services.prisma.message.create({ data: { conversationId, role: 'assistant', content: 'half an ans', status: 'streaming' } });
    expect(await closeInterruptedAnswers(t.server.services.prisma)).toBeGreaterThanOrEqual(1);
    expect(await t.server.services.prisma.message.findUnique({ where: { id: orphan.id } })).toMatchObject({ status: 'error', content: 'half an ans', error: expect.stringMatching(/restarted/) });
  });
});
