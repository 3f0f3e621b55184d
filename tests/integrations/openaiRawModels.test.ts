import OpenAI from 'openai';
import { eventually, TEST_MODEL, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';
import { startHandbookServer, type HandbookServer } from './handbookServer.js';

// Raw models through the OpenAI-compatible API, with the official `openai` SDK:
// an admin's per-group switch lets the group's members call the enabled chat
// models directly (`model:<id>`), with their own messages as they are, under
// their quotas and recorded in usage; anyone else is told the model does not exist.

describe(`Raw models through the OpenAI-compatible API (${engineName})`, () => {
  let server: HandbookServer;
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let staff: { id: string; token: string };
  let groupId: string;
  let rawId: string;
  let client: OpenAI;
  let pat: { id: string; token: string };
  let outsider: OpenAI;

  const setRawModels = async (on: boolean) => {
    const res = await t.json(admin.token, 'PATCH', `/api/v1/groups/${groupId}`, { apiRawModels: on });
    expect(res.status).toBe(200);
    expect(res.body.apiRawModels).toBe(on);
  };
  const clientFor = (token: string) => new OpenAI({ apiKey: token, baseURL: `${t.url}/api/openai/v1`, maxRetries: 0 });
  const listIds = async (c: OpenAI) => {
    const ids: string[] = [];
    for await (const model of c.models.list()) ids.push(model.id);
    return ids;
  };

  beforeAll(async () => {
    server = await startHandbookServer('Holiday policy. Every employee receives twenty-seven days of paid holiday per calendar year.');
    ({ t, admin, staff } = server);
    const prisma = t.server.services.prisma;
    groupId = (await prisma.groupMembership.findFirstOrThrow({ where: { userId: staff.id } })).groupId;
    rawId = `model:${(await prisma.model.findFirstOrThrow({ where: { name: TEST_MODEL } })).id}`;
    pat = (await t.json(staff.token, 'POST', '/api/v1/me/tokens', { name: 'raw', scopes: ['chat'] })).body;
    client = clientFor(pat.token);
    const other = await t.login({ role: 'user' });
    outsider = clientFor((await t.json(other.token, 'POST', '/api/v1/me/tokens', { name: 'outside' })).body.token);
  }, 120_000);
  afterAll(() => server.close());

  it('offers no raw model until an admin switches them on for the group', async () => {
    expect(await listIds(client)).toEqual([server.assistantId]);
    const refused = await client.chat.completions.create({ model: rawId, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    // The switch is the admin's: a member cannot turn it on.
    const byStaff = await t.json(staff.token, 'PATCH', `/api/v1/groups/${groupId}`, { apiRawModels: true });
    expect(byStaff.status).toBe(403);
  });

  it('lets the group’s members list and call a raw model with their own messages, under usage with source api', async () => {
    await setRawModels(true);
    expect(await listIds(client)).toEqual([server.assistantId, rawId]);
    expect(await client.models.retrieve(rawId)).toMatchObject({ id: rawId, object: 'model', name: TEST_MODEL });

    const prisma = t.server.services.prisma;
    const conversationsBefore = await prisma.conversation.count({ where: { userId: staff.id } });
    t.openai.chat.script({ text: 'Hello there.' });
    const before = t.openai.chatRequests().length;
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Say hello' },
    ];
    const completion = await client.chat.completions.create({ model: rawId, messages, max_tokens: 50, temperature: 0.5 });
    expect(completion).toMatchObject({ object: 'chat.completion', model: rawId, choices: [{ message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }] });
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);

    // The model got exactly the caller's messages: no assistant instructions, no passages.
    const sent = t.openai.chatRequests().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ model: TEST_MODEL, messages, max_tokens: 50, temperature: 0.5 });
    expect(JSON.stringify(sent[0]!.body.messages)).not.toContain('HR policies');

    const usage = await eventually(() => prisma.usageLog.findFirst({ where: { tokenId: pat.id, modelName: TEST_MODEL } }));
    expect(usage).toMatchObject({ userId: staff.id, source: 'api', tokenName: 'raw', assistantId: null, conversationId: null, outcome: 'success' });
    expect(usage!.completionTokens).toBe(completion.usage!.completion_tokens);
    // No conversation is kept for a raw call.
    expect(await prisma.conversation.count({ where: { userId: staff.id } })).toBe(conversationsBefore);

    // The usage report by assistant names the calls that had none.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const report = await t.json(admin.token, 'GET', `/api/v1/usage/summary?from=${day(-1)}&to=${day(1)}&groupBy=assistant`);
    expect(report.body.rows).toContainEqual(expect.objectContaining({ key: null, name: '(no assistant, or deleted)', requests: 1 }));
  });

  it('streams a raw model’s answer in OpenAI’s chunks with the usage chunk last', async () => {
    t.openai.chat.script({ text: 'One two three.', chunkDelayMs: 5 });
    const stream = await client.chat.completions.create({ model: rawId, messages: [{ role: 'user', content: 'Count' }], stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('One two three.');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('refuses a raw call over the user’s quota with RateLimitError', async () => {
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: staff.id, requestsPerMinute: 1 });
    expect(quota.status).toBe(201);
    // Minute windows start on the clock's minute (governance/quotas/periods.ts): two calls either side of one are both allowed.
    const leftOfMinute = 60_000 - (Date.now() % 60_000);
    if (leftOfMinute < 5_000) await new Promise((resolve) => setTimeout(resolve, leftOfMinute + 100));
    try {
      t.openai.chat.script({ text: 'Fine.' });
      await client.chat.completions.create({ model: rawId, messages: [{ role: 'user', content: 'First' }] });
      const before = t.openai.chatRequests().length;
      const refused = await client.chat.completions.create({ model: rawId, messages: [{ role: 'user', content: 'Second' }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
      expect((refused as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('quota_exceeded');
      expect(t.openai.chatRequests().length).toBe(before);
    } finally {
      await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
    }
  });

  it('stops the model call when the client aborts mid-stream, and charges only what was produced', async () => {
    t.openai.chat.script({ text: Array.from({ length: 200 }, (_, i) => `word${i}`).join(' '), chunkDelayMs: 20 });
    const cancelledBefore = t.openai.chat.cancelled;
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: rawId, messages: [{ role: 'user', content: 'Go on and on' }], stream: true }, { signal: controller.signal });
    let received = '';
    // The SDK ends the iteration quietly (or with an abort error, depending on timing) once aborted.
    try {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta.content ?? '';
        if (received.split(' ').length > 5) controller.abort();
      }
    } catch (error) {
      expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    }
    await eventually(() => t.openai.chat.cancelled > cancelledBefore);
    const usage = await eventually(() => t.server.services.prisma.usageLog.findFirst({ where: { tokenId: pat.id, outcome: 'stopped' } }));
    expect(usage).toMatchObject({ source: 'api', assistantId: null, modelName: TEST_MODEL });
    expect(usage!.completionTokens).toBeGreaterThan(0);
    expect(usage!.completionTokens).toBeLessThan(200);
  });

  it('tells a user outside the group, or a disabled or unknown model, that the model does not exist', async () => {
    expect(await listIds(outsider)).not.toContain(rawId);
    for (const attempt of [
      outsider.chat.completions.create({ model: rawId, messages: [{ role: 'user', content: 'Hi' }] }),
      outsider.models.retrieve(rawId),
      client.chat.completions.create({ model: 'model:00000000-0000-4000-8000-000000000000', messages: [{ role: 'user', content: 'Hi' }] }),
      client.chat.completions.create({ model: `model:${TEST_MODEL}`, messages: [{ role: 'user', content: 'Hi' }] }),
    ]) {
      await expect(attempt).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    }
    const prisma = t.server.services.prisma;
    const model = await prisma.model.findFirstOrThrow({ where: { name: TEST_MODEL } });
    await prisma.model.update({ where: { id: model.id }, data: { enabled: false } });
    try {
      await expect(client.models.retrieve(rawId)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      expect(await listIds(client)).not.toContain(rawId);
    } finally {
      await prisma.model.update({ where: { id: model.id }, data: { enabled: true } });
    }
    // Switched off again: refused at once.
    await setRawModels(false);
    await expect(client.chat.completions.create({ model: rawId, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
