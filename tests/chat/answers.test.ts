import fs from 'node:fs';
import { NO_KNOWLEDGE_ANSWER } from '../../server/src/chat/answer.js';
import { OpenAiCompatibleProvider } from '../../server/src/chat/llm/openaiCompatible.js';
import type { ChatCall } from '../support/chatScript.js';
import { fixture } from '../support/knowledge.js';
import { eventually, readEvents, startChatServer, TEST_MODEL, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// The whole chat pipeline against a real server and database: a real file is
// ingested, a question retrieves its passages, the prompt carries them
// numbered with their sources, the test model server streams the answer
// through the official SDK, and the answer is stored with its sources, usage,
// model, latency and finish reason.

const PDF = 'pdf/pdfjs__pdfjs_wikipedia.pdf';

describe(`answers with sources (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let staff: { id: string; token: string };
  let assistantId: string;

  beforeAll(async () => {
    t = await startChatServer();
    admin = await t.login({ role: 'admin' });
    staff = await t.login({ role: 'user' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Readers' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    const assistant = await t.json(admin.token, 'POST', '/api/v1/assistants', {
      name: 'PDF expert',
      instructions: 'You answer questions about PDF software.',
      groupIds: [group.body.id],
    });
    assistantId = assistant.body.id;
    expect(await uploadAndWait(t, admin.token, assistantId, fixture(PDF), 'pdfjs__pdfjs_wikipedia.pdf')).toBe('ready');
  }, 120_000);
  afterAll(() => t.close());

  async function newConversation(token = staff.token, id = assistantId) {
    const res = await t.json(token, 'POST', '/api/v1/conversations', { assistantId: id });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  it('counts the passages in the prompt tokens it stores when the provider reports no usage', async () => {
    // The system message is counted with the passages' texts left out and their chunks' stored counts
    // added; an answer whose provider reports nothing stores that estimate, which must hold the passages.
    const conversationId = await newConversation();
    let answerCall: ChatCall | undefined;
    const titles = t.openai.chat.intercept;
    t.openai.chat.intercept = (call) => titles(call) ?? void (answerCall = call);
    t.openai.chat.script({ text: 'It renders PDF files [1].', omitUsage: true });
    const res = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'What is PDF.js and who develops it?' });
    t.openai.chat.intercept = titles;
    expect(res.status).toBe(201);
    const sent = answerCall!.messages.map((m) => ({ role: m.role as 'system' | 'user', content: m.content }));
    expect(sent[0]!.content).toContain('[1]');
    const full = new OpenAiCompatibleProvider({ kind: 'openai_compatible', baseUrl: null, apiKey: null }).countTokens(sent);
    const { promptTokens } = res.body.message.usage;
    expect(Math.abs(promptTokens - full)).toBeLessThanOrEqual(2 * res.body.message.sources.length + 2);
  });

  it('answers with the retrieved passages in the prompt and stores sources, usage and model (JSON)', async () => {
    const conversationId = await newConversation();
    t.openai.chat.script({ text: 'PDF.js is a JavaScript library that renders PDF files [1].' });
    const res = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'What is PDF.js and who develops it?' });
    expect(res.status).toBe(201);
    const { userMessage, message } = res.body;
    expect(userMessage).toMatchObject({ role: 'user', content: 'What is PDF.js and who develops it?' });
    expect(message).toMatchObject({
      role: 'assistant',
      status: 'complete',
      content: 'PDF.js is a JavaScript library that renders PDF files [1].',
      model: TEST_MODEL,
      finishReason: 'stop',
      usage: { promptTokens: expect.any(Number), completionTokens: 10 },
      parentId: userMessage.id,
    });
    expect(message.latencyMs).toBeGreaterThanOrEqual(0);
    expect(message.sources.length).toBeGreaterThan(0);
    expect(message.sources[0]).toMatchObject({ index: 1, fileName: 'pdfjs__pdfjs_wikipedia.pdf', page: expect.any(Number), score: expect.any(Number) });
    expect(message.sources[0].text).toMatch(/pdf\.?js/i);

    const sent = t.openai.chatRequests().filter((r) => !String(r.body.messages[0]?.content).startsWith('Write a title')).at(-1)!.body;
    expect(sent.model).toBe(TEST_MODEL);
    expect(sent.messages[0]!.role).toBe('system');
    const system = sent.messages[0]!.content;
    expect(system).toContain('You answer questions about PDF software.');
    expect(system).toMatch(/\[1\] pdfjs__pdfjs_wikipedia\.pdf, page \d+/);
    expect(system).toContain(message.sources[0].text.slice(0, 40));
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: 'What is PDF.js and who develops it?' });

    // Usage is accounted with the model's name and the provider's token counts.
    const usage = await t.server.services.prisma.usageLog.findFirst({ where: { messageId: message.id } });
    expect(usage).toMatchObject({ userId: staff.id, assistantId, conversationId, modelName: TEST_MODEL, completionTokens: 10, outcome: 'success' });
  });

  it('streams the same pipeline as server-sent events: start, chunks in order, done', async () => {
    const conversationId = await newConversation();
    t.openai.chat.script({ text: 'Streaming answers arrive token by token.', chunkDelayMs: 5 });
    const res = await t.api(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'How do answers arrive?' }, { accept: 'text/event-stream' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readEvents(res);
    const names = events.map((e) => e.event);
    // Tokens arriving within a few milliseconds travel as one chunk; the first goes alone.
    expect(names[0]).toBe('start');
    expect(names.at(-1)).toBe('done');
    expect(new Set(names.slice(1, -1))).toEqual(new Set(['chunk']));
    const [start, ...rest] = events;
    expect(start!.data).toMatchObject({ conversationId, userMessage: { content: 'How do answers arrive?' }, message: { status: 'streaming', content: '' }, seq: 0 });
    const chunks = rest.filter((e) => e.event === 'chunk');
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks[0]!.data.text).toBe('Streaming ');
    expect(chunks.map((c) => c.data.seq)).toEqual(chunks.map((_, i) => i + 1));
    const streamed = chunks.map((c) => c.data.text).join('');
    const done = events.at(-1)!.data.message;
    expect(streamed).toBe('Streaming answers arrive token by token.');
    expect(done).toMatchObject({ id: start!.data.message.id, status: 'complete', content: streamed });
    const stored = await t.json(staff.token, 'GET', `/api/v1/conversations/${conversationId}`);
    expect(stored.body.messages.map((m: { content: string }) => m.content)).toEqual(['How do answers arrive?', streamed]);
  });

  it('names the conversation after the first exchange, and keeps a title the user chose', async () => {
    const conversationId = await newConversation();
    await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'Tell me about rendering' });
    const titled = await eventually(async () => (await t.json(staff.token, 'GET', `/api/v1/conversations/${conversationId}`)).body.title, (title) => title !== 'New conversation');
    expect(titled).toBe('A generated title');

    const renamed = await newConversation();
    await t.json(staff.token, 'PATCH', `/api/v1/conversations/${renamed}`, { title: 'My own name' });
    await t.json(staff.token, 'POST', `/api/v1/conversations/${renamed}/messages`, { content: 'Another question' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.json(staff.token, 'GET', `/api/v1/conversations/${renamed}`)).body.title).toBe('My own name');
  });

  it('carries the conversation so far, and keeps only what fits the model’s context window', async () => {
    const conversationId = await newConversation();
    for (const q of ['first question', 'second question']) await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: q });
    await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'third question' });
    const sent = t.openai.chatRequests().at(-1)!.body.messages.map((m) => `${m.role}:${m.content}`);
    expect(sent.slice(1)).toEqual(['user:first question', 'assistant:You asked: first question', 'user:second question', 'assistant:You asked: second question', 'user:third question']);

    // A model with a small window: old turns go first, the question and the room for the answer stay.
    const model = await t.server.services.prisma.model.findFirstOrThrow({ where: { name: TEST_MODEL } });
    const long = 'lorem ipsum dolor sit amet '.repeat(150);
    const small = await newConversation();
    await t.json(staff.token, 'POST', `/api/v1/conversations/${small}/messages`, { content: `old ${long}` });
    await t.json(staff.token, 'POST', `/api/v1/conversations/${small}/messages`, { content: 'recent question' });
    await t.server.services.prisma.model.update({ where: { id: model.id }, data: { contextWindow: 1024 + 900 } });
    t.server.services.chatModels.clear(); // models are cached for a few seconds
    try {
      await t.json(staff.token, 'POST', `/api/v1/conversations/${small}/messages`, { content: 'newest question' });
      const trimmed = t.openai.chatRequests().at(-1)!.body.messages;
      expect(trimmed.at(-1)).toEqual({ role: 'user', content: 'newest question' });
      expect(trimmed.map((m) => m.content)).toContain('recent question');
      expect(trimmed.some((m) => m.content.startsWith('old lorem'))).toBe(false);
      expect(trimmed[1]!.role).toBe('user');
    } finally {
      await t.server.services.prisma.model.update({ where: { id: model.id }, data: { contextWindow: 8192 } });
      t.server.services.chatModels.clear();
    }
  });

  it('says it does not know, without calling the model, in answer-only-from-knowledge mode with nothing relevant', async () => {
    const strict = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Strict', knowledgeOnly: true });
    const conversationId = await newConversation(admin.token, strict.body.id);
    const before = t.openai.chatRequests().length;
    const res = await t.json(admin.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'What is the airspeed of an unladen swallow?' });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({ content: NO_KNOWLEDGE_ANSWER, finishReason: 'no_knowledge', status: 'complete', sources: [], usage: null });
    await new Promise((r) => setTimeout(r, 200));
    expect(t.openai.chatRequests().length).toBe(before);
    expect(await t.server.services.prisma.usageLog.count({ where: { conversationId } })).toBe(0);
  });

  it('tells the model to answer only from the passages in that mode when passages exist', async () => {
    await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { knowledgeOnly: true });
    try {
      const conversationId = await newConversation();
      await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'What is PDF.js?' });
      const system = t.openai.chatRequests().filter((r) => !String(r.body.messages[0]?.content).startsWith('Write a title')).at(-1)!.body.messages[0]!.content;
      expect(system).toMatch(/Answer only from the passages/);
      expect(system).toMatch(/\[1\] pdfjs__pdfjs_wikipedia\.pdf/);
    } finally {
      await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { knowledgeOnly: false });
    }
  });

  it('regenerates an answer as a new version and resends an edited question, keeping the old ones', async () => {
    const conversationId = await newConversation();
    t.openai.chat.script({ text: 'First answer' }, { text: 'Second answer' }, { text: 'Answer to the edited question' });
    const first = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'Original question' });
    const again = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages/${first.body.message.id}/regenerate`);
    expect(again.status).toBe(201);
    expect(again.body.userMessage).toBeNull();
    expect(again.body.message).toMatchObject({ content: 'Second answer', parentId: first.body.userMessage.id });
    let shown = (await t.json(staff.token, 'GET', `/api/v1/conversations/${conversationId}`)).body.messages;
    expect(shown.map((m: { content: string }) => m.content)).toEqual(['Original question', 'Second answer']);
    expect(shown[1].branch).toMatchObject({ index: 2, count: 2 });

    const edited = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages/${first.body.userMessage.id}/edit`, { content: 'Edited question' });
    expect(edited.status).toBe(201);
    expect(edited.body.userMessage).toMatchObject({ content: 'Edited question', parentId: null, editHistory: [{ content: 'Original question', editedAt: expect.any(String) }] });
    shown = (await t.json(staff.token, 'GET', `/api/v1/conversations/${conversationId}`)).body.messages;
    expect(shown.map((m: { content: string }) => m.content)).toEqual(['Edited question', 'Answer to the edited question']);
    expect(shown[0].branch).toMatchObject({ index: 2, count: 2 });
    // The edited question went to the model without the old branch.
    const sent = t.openai.chatRequests().filter((r) => !String(r.body.messages[0]?.content).startsWith('Write a title')).at(-1)!.body.messages;
    expect(sent.slice(1)).toEqual([{ role: 'user', content: 'Edited question' }]);
    expect(await t.server.services.prisma.message.count({ where: { conversationId } })).toBe(5);
  });

  it('refuses a second question while an answer is being written', async () => {
    const conversationId = await newConversation();
    t.openai.chat.script({ text: 'slow answer with several words in it', chunkDelayMs: 60 });
    const first = t.api(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'one' }, { accept: 'text/event-stream' });
    await eventually(() => t.server.services.generations.active(conversationId));
    const second = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'two' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('conflict');
    await readEvents(await first);
  });

  it('validates questions', async () => {
    const conversationId = await newConversation();
    for (const body of [{}, { content: '' }, { content: '   ' }, { content: 42 }, { content: 'x'.repeat(32_001) }, { content: 'ok', extra: 1 }]) {
      const res = await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, body);
      expect({ body, status: res.status, code: res.body.error.code }).toEqual({ body, status: 400, code: 'validation_failed' });
    }
  });
});
