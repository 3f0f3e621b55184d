import OpenAI from 'openai';
import { NO_KNOWLEDGE_ANSWER } from '../../server/src/chat/answer.js';
import { SEARCH_MODE } from '../../server/src/chat/searchMode.js';
import { fixture } from '../support/knowledge.js';
import { emitWithAck, eventually, readEvents, record, startChatServer, TEST_MODEL, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// First run: no model is connected, yet an assistant with knowledge answers
// with its best passages (search mode), cited like a model's answer, marked as
// such, charged nothing, over the socket, SSE and the OpenAI-compatible API.
// Then an admin connects a model and the same assistant answers through it.

const PDF = 'pdf/pdfjs__pdfjs_wikipedia.pdf';
const FILE = 'pdfjs__pdfjs_wikipedia.pdf';
const QUESTION = 'What is PDF.js and who develops it?';

describe(`search mode until a model is connected (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let staff: { id: string; token: string };
  let assistantId: string;
  let quotaId: string;

  beforeAll(async () => {
    // No DEFAULT_MODEL: the server starts with no provider and no model, as after the one-command start.
    t = await startChatServer({ DEFAULT_MODEL: '' });
    admin = await t.login({ role: 'admin' });
    staff = await t.login({ role: 'user' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Readers' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    const assistant = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'PDF expert', groupIds: [group.body.id] });
    expect(assistant.status).toBe(201);
    assistantId = assistant.body.id;
    expect(await uploadAndWait(t, admin.token, assistantId, fixture(PDF), FILE)).toBe('ready');
    // One request a minute: search-mode answers must not count against it, or the later model answer is refused.
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: staff.id, requestsPerMinute: 1, tokensPerDay: 100_000 });
    expect(quota.status).toBe(201);
    quotaId = quota.body.id;
  }, 120_000);
  afterAll(() => t.close());

  const newConversation = async (id = assistantId) => {
    const res = await t.json(staff.token, 'POST', '/api/v1/conversations', { assistantId: id });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  /** A search-mode answer: the passages as its text under [n] with file and page, and the same passages as its sources. */
  function expectSearchAnswer(message: any) {
    expect(message).toMatchObject({ role: 'assistant', status: 'complete', finishReason: SEARCH_MODE, model: null, usage: null });
    expect(message.content).toMatch(/^No model is connected yet/);
    expect(message.sources.length).toBeGreaterThan(0);
    expect(message.sources.length).toBeLessThanOrEqual(5);
    for (const source of message.sources) {
      expect(source).toMatchObject({ fileName: FILE, page: expect.any(Number) });
      expect(message.content).toContain(`**[${source.index}]** ${FILE}, page ${source.page}`);
      // The quoted passage is the source's text (the stored preview is capped).
      expect(message.content.replace(/\\\[/g, '[')).toContain(`> ${source.text.trim().split('\n')[0]!.replace(/…$/, '')}`);
    }
    // The passages' own reference marks are escaped, so the chat app does not take them for this answer's citations.
    expect(message.content).toMatch(/\\\[\d+\]/);
    expect(message.content).not.toMatch(/(?<![*\\])\[\d+\](?!\*)/);
    expect(message.sources[0].text).toMatch(/pdf\.?js/i);
  }

  async function expectNothingCharged(conversationId: string) {
    expect(await t.server.services.prisma.usageLog.count({ where: { conversationId } })).toBe(0);
    const quota = (await t.json(admin.token, 'GET', `/api/v1/quotas/${quotaId}`)).body;
    expect(JSON.stringify(quota)).not.toMatch(/"used":[1-9]/);
  }

  it('lists the assistant as answering in search mode', async () => {
    const listed = await t.json(staff.token, 'GET', '/api/v1/assistants');
    expect(listed.body.data).toEqual([expect.objectContaining({ id: assistantId, model: null, searchMode: true })]);
  });

  it('answers over socket.io with the best passages and their citations, charging nothing', async () => {
    const socket = await t.socket(staff.token);
    const seen = record(socket, ['chat:start', 'chat:chunk', 'chat:done', 'chat:error']);
    const conversationId = await newConversation();
    const ack = await emitWithAck(socket, 'chat:send', { conversationId, content: QUESTION });
    expect(ack).toEqual({ ok: true, messageId: expect.any(String) });
    await eventually(() => seen.some((e) => e.name === 'chat:done' || e.name === 'chat:error'));
    const names = seen.map((e) => e.name);
    expect(names[0]).toBe('chat:start');
    expect(names.at(-1)).toBe('chat:done');
    expect(new Set(names.slice(1, -1))).toEqual(new Set(['chat:chunk']));
    const done = seen.at(-1)!.payload.message;
    expectSearchAnswer(done);
    expect(seen.filter((e) => e.name === 'chat:chunk').map((e) => e.payload.text).join('')).toBe(done.content);

    // Stored as shown, marked as search mode.
    const stored = await t.server.services.prisma.message.findUniqueOrThrow({ where: { id: ack.messageId } });
    expect(stored).toMatchObject({ finishReason: SEARCH_MODE, model: null, promptTokens: null, completionTokens: null, content: done.content });
    expect(t.openai.chatRequests()).toHaveLength(0);
    await expectNothingCharged(conversationId);
  });

  it('answers the same way as server-sent events', async () => {
    const conversationId = await newConversation();
    const res = await t.api(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: QUESTION }, { accept: 'text/event-stream' });
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    expect(events[0]!.event).toBe('start');
    expect(events.at(-1)!.event).toBe('done');
    const done = events.at(-1)!.data.message;
    expectSearchAnswer(done);
    expect(
      events
        .filter((e) => e.event === 'chunk')
        .map((e) => e.data.text)
        .join(''),
    ).toBe(done.content);
    expect(t.openai.chatRequests()).toHaveLength(0);
    await expectNothingCharged(conversationId);
  });

  it('says nothing in its knowledge answers when search mode finds no passage', async () => {
    const empty = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Empty' });
    const conversationId = (await t.json(admin.token, 'POST', '/api/v1/conversations', { assistantId: empty.body.id })).body.id;
    const res = await t.json(admin.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'What is the airspeed of an unladen swallow?' });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ content: NO_KNOWLEDGE_ANSWER, finishReason: 'no_knowledge', status: 'complete', sources: [], usage: null, model: null });
    expect(t.openai.chatRequests()).toHaveLength(0);
  });

  it('answers through the OpenAI-compatible API in search mode, streamed or not', async () => {
    const pat = (await t.json(staff.token, 'POST', '/api/v1/me/tokens', { name: 'sdk', scopes: ['chat'] })).body;
    const client = new OpenAI({ apiKey: pat.token, baseURL: `${t.url}/api/openai/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: QUESTION }] });
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: expect.stringMatching(/^No model is connected yet[\s\S]*\*\*\[1\]\*\* pdfjs/) } });
    expect(completion.usage).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });

    let streamed = '';
    const stream = await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: QUESTION }], stream: true });
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(completion.choices[0]!.message.content);
    expect(t.openai.chatRequests()).toHaveLength(0);
    expect(await t.server.services.prisma.usageLog.count()).toBe(0);
  });

  it('answers through the model once an admin connects one, with the passages in its prompt', async () => {
    const provider = await t.json(admin.token, 'POST', '/api/v1/providers', { name: 'Local', kind: 'openai_compatible', baseUrl: t.openai.baseUrl });
    expect(provider.status).toBe(201);
    const model = await t.json(admin.token, 'POST', '/api/v1/models', { providerId: provider.body.id, name: TEST_MODEL, contextWindow: 8192 });
    expect(model.status).toBe(201);
    expect((await t.json(staff.token, 'GET', `/api/v1/assistants/${assistantId}`)).body.searchMode).toBe(false);

    const conversationId = await newConversation();
    t.openai.chat.script({ text: 'PDF.js renders PDF files in the browser [1].' });
    const res = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: QUESTION });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ content: 'PDF.js renders PDF files in the browser [1].', finishReason: 'stop', model: TEST_MODEL, usage: { completionTokens: expect.any(Number) } });
    const sent = t.openai.chatRequests().find((r) => !String(r.body.messages[0]?.content).startsWith('Write a title'))!.body;
    expect(sent.model).toBe(TEST_MODEL);
    expect(sent.messages[0]!.content).toMatch(new RegExp(`\\[1\\] ${FILE.replace(/\./g, '\\.')}, page \\d+`));
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: QUESTION });
    expect(await t.server.services.prisma.usageLog.count({ where: { conversationId, outcome: 'success' } })).toBe(1);
  });

  it('falls back to search mode when its model is switched off and it has no usable fallback', async () => {
    const model = await t.server.services.prisma.model.findFirstOrThrow({ where: { name: TEST_MODEL } });
    await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { modelId: model.id });
    expect((await t.json(admin.token, 'PATCH', `/api/v1/models/${model.id}`, { enabled: false })).status).toBe(200);
    t.server.services.chatModels.clear(); // models are cached for a few seconds
    expect((await t.json(staff.token, 'GET', `/api/v1/assistants/${assistantId}`)).body.searchMode).toBe(true);
    const before = t.openai.chatRequests().length;
    const conversationId = await newConversation();
    const res = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: QUESTION });
    expect(res.status).toBe(201);
    expectSearchAnswer(res.body.message);
    expect(t.openai.chatRequests()).toHaveLength(before);
  });
});
