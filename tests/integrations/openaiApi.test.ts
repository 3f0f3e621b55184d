import OpenAI from 'openai';
import { eventually, TEST_MODEL, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';
import { startHandbookServer, type HandbookServer } from './handbookServer.js';

// The OpenAI-compatible API with the official `openai` SDK as the client,
// against a real server and database, with the test model server behind it
// as the provider. A personal access token is the SDK's API key.

const HANDBOOK = [
  'Holiday policy. Every employee receives twenty-seven days of paid holiday per calendar year.',
  'Unused holiday days may be carried over until the end of March of the following year.',
  '',
  'Travel policy. Train travel is booked in second class; flights need approval from a manager.',
].join('\n');

type AtriumCompletion = OpenAI.Chat.Completions.ChatCompletion & {
  atrium: { conversationId: string; sources: { file: string; page: number | null; passage: string; score: number }[] };
};

describe(`OpenAI-compatible API through the official SDK (${engineName})`, () => {
  let server: HandbookServer;
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let staff: { id: string; token: string };
  let assistantId: string;
  let otherAssistantId: string;
  let client: OpenAI;
  let pat: { id: string; token: string };

  beforeAll(async () => {
    server = await startHandbookServer(HANDBOOK);
    ({ t, admin, staff, assistantId, hiddenId: otherAssistantId } = server);
    const created = await t.json(staff.token, 'POST', '/api/v1/me/tokens', { name: 'sdk', scopes: ['chat'] });
    expect(created.status).toBe(201);
    pat = created.body;
    client = new OpenAI({ apiKey: pat.token, baseURL: `${t.url}/api/openai/v1`, maxRetries: 0 });
  }, 120_000);
  afterAll(() => server.close());

  const answerCalls = () => t.openai.chatRequests();

  it('lists the assistants the token’s user may use as models', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toEqual([expect.objectContaining({ id: assistantId, object: 'model', owned_by: 'atrium', name: 'HR handbook', created: expect.any(Number) })]);
    expect((await client.models.retrieve(assistantId)).id).toBe(assistantId);
    await expect(client.models.retrieve(otherAssistantId)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers without streaming, with retrieval, sources, usage, and a kept API conversation', async () => {
    t.openai.chat.script({ text: 'You get twenty-seven days of paid holiday [1].' });
    const before = answerCalls().length;
    const completion = (await client.chat.completions.create({
      model: assistantId,
      messages: [
        { role: 'system', content: 'Ignored: the assistant has its own instructions.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi! How can I help?' },
        { role: 'user', content: 'How many days of paid holiday do employees get?' },
      ],
    })) as AtriumCompletion;
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: assistantId,
      choices: [{ index: 0, message: { role: 'assistant', content: 'You get twenty-seven days of paid holiday [1].' }, finish_reason: 'stop' }],
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 8, total_tokens: completion.usage!.prompt_tokens + 8 });
    expect(completion.atrium.sources[0]).toMatchObject({ file: 'handbook.txt', page: null, score: expect.any(Number) });
    expect(completion.atrium.sources[0]!.passage).toContain('twenty-seven days');

    // The model saw the assistant's instructions with the passage, the history, and the question.
    const sent = answerCalls().slice(before).at(-1)!.body;
    expect(answerCalls().length).toBe(before + 1);
    expect(sent.model).toBe(TEST_MODEL);
    expect(sent.messages[0]!.content).toContain('You answer questions about HR policies.');
    expect(sent.messages[0]!.content).toContain('twenty-seven days');
    expect(sent.messages.slice(1)).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi! How can I help?' },
      { role: 'user', content: 'How many days of paid holiday do employees get?' },
    ]);
    expect(JSON.stringify(sent.messages)).not.toContain('Ignored:');

    const prisma = t.server.services.prisma;
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: completion.atrium.conversationId } });
    expect(conversation).toMatchObject({ userId: staff.id, assistantId, source: 'api' });
    const usage = await eventually(() => prisma.usageLog.findFirst({ where: { conversationId: conversation.id } }));
    expect(usage).toMatchObject({ userId: staff.id, source: 'api', tokenId: pat.id, tokenName: 'sdk', completionTokens: 8, outcome: 'success' });

    // Hidden from the sidebar's list, found when asked for.
    const sidebar = await t.json(staff.token, 'GET', '/api/v1/conversations');
    expect(sidebar.body.data.map((c: { id: string }) => c.id)).not.toContain(conversation.id);
    const api = await t.json(staff.token, 'GET', '/api/v1/conversations?source=api');
    expect(api.body.data.map((c: { id: string; source: string }) => [c.id, c.source])).toContainEqual([conversation.id, 'api']);
  });

  it('streams OpenAI chunks, with the usage chunk last when asked and sources in the final chunk', async () => {
    t.openai.chat.script({ text: 'Unused days carry over until the end of March.', chunkDelayMs: 5 });
    const stream = await client.chat.completions.create({
      model: assistantId,
      messages: [{ role: 'user', content: 'Can unused holiday be carried over?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Unused days carry over until the end of March.');
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === assistantId)).toBe(true);
    const finish = chunks.at(-2)! as OpenAI.Chat.Completions.ChatCompletionChunk & Pick<AtriumCompletion, 'atrium'>;
    expect(finish.choices[0]!.finish_reason).toBe('stop');
    expect(finish.atrium.sources[0]!.passage).toContain('carried over');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 9, total_tokens: last.usage!.prompt_tokens + 9 });
    // Before the last chunk, usage is null, as OpenAI sends it.
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    // Without include_usage there is no usage chunk; the raw stream ends with [DONE].
    t.openai.chat.script({ text: 'Second class.' });
    const raw = await fetch(`${t.url}/api/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pat.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: assistantId, messages: [{ role: 'user', content: 'How is train travel booked?' }], stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = (await raw.text()).split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('data: [DONE]');
    expect(frames.slice(0, -1).every((f) => f.startsWith('data: {') && !('usage' in JSON.parse(f.slice(6))))).toBe(true);
  });

  it('refuses an exhausted quota with a 429 the SDK raises as RateLimitError', async () => {
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: staff.id, requestsPerMinute: 1 });
    expect(quota.status).toBe(201);
    try {
      t.openai.chat.script({ text: 'Fine.' });
      await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: 'First question' }] });
      const refused = await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: 'Second question' }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
      expect(error.status).toBe(429);
      expect(error.code).toBe('quota_exceeded');
      expect(error.type).toBe('rate_limit_error');
      expect(error.headers.get('retry-after')).toMatch(/^\d+$/);
      // The refusal is audited once, naming the token.
      const entry = await eventually(() => t.server.services.prisma.auditLog.findFirst({ where: { action: 'quota.exceeded', actorId: staff.id } }));
      expect(entry!.actorToken).toEqual({ id: pat.id, name: 'sdk' });
    } finally {
      await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
    }
  });

  it('raises NotFoundError for an assistant the user may not use or that does not exist, and BadRequestError for a bad body', async () => {
    for (const model of [otherAssistantId, 'gpt-4o', '00000000-0000-4000-8000-000000000000']) {
      const error = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).message).toContain(model);
    }
    const bad = await client.chat.completions.create({ model: assistantId, messages: [] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    const notUser = await client.chat.completions.create({ model: assistantId, messages: [{ role: 'assistant', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(notUser).toBeInstanceOf(OpenAI.BadRequestError);
    const noKey = new OpenAI({ apiKey: 'atr_0000000000000000_' + 'A'.repeat(43), baseURL: `${t.url}/api/openai/v1`, maxRetries: 0 });
    await expect(noKey.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('stops the model call when the client aborts mid-stream, and charges only what was produced', async () => {
    t.openai.chat.script({ text: Array.from({ length: 200 }, (_, i) => `word${i}`).join(' '), chunkDelayMs: 20 });
    const cancelledBefore = t.openai.chat.cancelled;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: assistantId, messages: [{ role: 'user', content: 'Tell me everything about holidays' }], stream: true },
      { signal: controller.signal },
    );
    let received = '';
    let id = '';
    // The SDK ends the iteration quietly (or with an abort error, depending on timing) once aborted.
    try {
      for await (const chunk of stream) {
        id = chunk.id;
        received += chunk.choices[0]?.delta.content ?? '';
        if (received.split(' ').length > 5) controller.abort();
      }
    } catch (error) {
      expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    }
    expect(controller.signal.aborted).toBe(true);
    const messageId = id.replace('chatcmpl-', '');
    const prisma = t.server.services.prisma;
    await eventually(() => t.openai.chat.cancelled > cancelledBefore);
    const stored = await eventually(() => prisma.message.findUnique({ where: { id: messageId } }), (m) => m?.status === 'stopped');
    expect(stored!.content.split(' ').length).toBeLessThan(200);
    const usage = await eventually(() => prisma.usageLog.findFirst({ where: { messageId } }));
    expect(usage).toMatchObject({ outcome: 'stopped', source: 'api', tokenId: pat.id });
    expect(usage!.completionTokens).toBeGreaterThan(0);
    expect(usage!.completionTokens).toBeLessThan(200);
  });

  it('keeps no conversation when asked not to (store: false), yet records the usage', async () => {
    t.openai.chat.script({ text: 'Not kept.' });
    const completion = (await client.chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: 'Keep nothing' }], store: false })) as AtriumCompletion;
    const prisma = t.server.services.prisma;
    await eventually(() => prisma.conversation.findUnique({ where: { id: completion.atrium.conversationId } }), (c) => c === null);
    expect(await prisma.usageLog.findFirst({ where: { tokenId: pat.id, completionTokens: 2, outcome: 'success' } })).not.toBeNull();
  });

  it('embeds with the configured embedder, as floats and as the SDK’s default base64', async () => {
    const embedder = t.server.services.embedder;
    const floats = await client.embeddings.create({ model: 'anything', input: ['holiday policy', 'travel policy'], encoding_format: 'float' });
    expect(floats.model).toBe(embedder.name);
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    const expected = await embedder.embed(['holiday policy', 'travel policy'], 'document');
    expect(floats.data[0]!.embedding).toHaveLength(embedder.dimension);
    expect(floats.data[0]!.embedding[0]).toBeCloseTo(expected[0]![0]!, 6);
    // The SDK asks for base64 and decodes it back to numbers.
    const decoded = await client.embeddings.create({ model: 'anything', input: 'holiday policy' });
    expect(decoded.data[0]!.embedding).toHaveLength(embedder.dimension);
    expect(decoded.data[0]!.embedding[5]).toBeCloseTo(expected[0]![5]!, 5);
    expect(decoded.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('charges embeddings to the caller’s quota and usage, refusing with RateLimitError when it is spent', async () => {
    const prisma = t.server.services.prisma;
    const embedderName = t.server.services.embedder.name;
    const recorded = () => prisma.usageLog.count({ where: { tokenId: pat.id, modelName: embedderName } });
    const before = await recorded();
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: staff.id, requestsPerMinute: 1 });
    expect(quota.status).toBe(201);
    try {
      const first = await client.embeddings.create({ model: 'anything', input: ['holiday policy', 'travel'] });
      const refused = await client.embeddings.create({ model: 'anything', input: 'second call' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
      expect([error.status, error.code, error.type]).toEqual([429, 'quota_exceeded', 'rate_limit_error']);
      // One usage row, for the call that went through, with the tokens it reported.
      expect(await recorded()).toBe(before + 1);
      const usage = await prisma.usageLog.findFirst({ where: { tokenId: pat.id, modelName: embedderName }, orderBy: { id: 'desc' } });
      expect(usage).toMatchObject({ userId: staff.id, source: 'api', tokenName: 'sdk', assistantId: null, conversationId: null, outcome: 'success', promptTokens: first.usage.prompt_tokens });
      // The quota's counter holds the request and its tokens.
      const counter = await prisma.quotaCounter.findFirst({ where: { quotaId: quota.body.id, period: 'minute' } });
      expect(counter).toMatchObject({ requests: 1, tokens: BigInt(first.usage.prompt_tokens) });
    } finally {
      await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
    }
  });

  it('refuses a token without the chat scope, and a revoked token at once', async () => {
    const searchOnly = await t.json(staff.token, 'POST', '/api/v1/me/tokens', { name: 'search', scopes: ['knowledge:read'] });
    const limited = new OpenAI({ apiKey: searchOnly.body.token, baseURL: `${t.url}/api/openai/v1`, maxRetries: 0 });
    await expect(limited.models.list()).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    const spare = await t.json(staff.token, 'POST', '/api/v1/me/tokens', { name: 'spare' });
    const spareClient = new OpenAI({ apiKey: spare.body.token, baseURL: `${t.url}/api/openai/v1`, maxRetries: 0 });
    await spareClient.models.list();
    await t.json(staff.token, 'DELETE', `/api/v1/me/tokens/${spare.body.id}`);
    await expect(spareClient.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
