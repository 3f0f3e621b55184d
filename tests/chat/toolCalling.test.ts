import { fileURLToPath } from 'node:url';
import { eventually, readEvents, startChatServer, uploadAndWait, type ChatTestServer, type SseEvent } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// Tool calling in the answer loop, end to end: the model (the protocol test
// servers, driven through the real SDKs) asks for built-in tools, Atrium runs
// them, hands back the results and streams the rest; each step is a charged
// model call; every call is visible in the stream and in history, and
// audited without its arguments or results.

const TEXT = fileURLToPath(new URL('../fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url));

describe(`tool calling in answers (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let staff: { id: string; token: string };
  let assistantId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    staff = await t.login({ role: 'user' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Fans' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    const assistant = await t.json(admin.token, 'POST', '/api/v1/assistants', {
      name: 'Football',
      groupIds: [group.body.id],
      builtinTools: ['search_knowledge', 'current_time'],
    });
    expect(assistant.status).toBe(201);
    expect(assistant.body.builtinTools).toEqual(['search_knowledge', 'current_time']);
    assistantId = assistant.body.id;
    expect(await uploadAndWait(t, admin.token, assistantId, TEXT)).toBe('ready');
  }, 120_000);
  afterAll(() => t.close());

  async function ask(token: string, content: string, conversation = assistantId): Promise<SseEvent[]> {
    const conversationId = (await t.json(token, 'POST', '/api/v1/conversations', { assistantId: conversation })).body.id as string;
    const res = await t.api(token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content }, { accept: 'text/event-stream' });
    return readEvents(res);
  }
  const answerRequests = () => t.openai.chatRequests();

  it('runs the tools the model asks for, in one turn, and streams the answer that uses their results', async () => {
    const before = answerRequests().length;
    t.openai.chat.script(
      {
        text: 'Let me look that up.',
        toolCalls: [
          { id: 'call_search', name: 'search_knowledge', arguments: { query: 'Iwan Roberts goals for Norwich', top_k: 2 } },
          { id: 'call_time', name: 'current_time', arguments: { time_zone: 'Europe/London' } },
        ],
      },
      { text: 'Iwan Roberts scored for Norwich City, as the club history says.' },
    );
    const events = await ask(staff.token, 'How many goals did Iwan Roberts score, and what time is it?');

    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const message = done.data.message;
    expect(message.content).toBe('Let me look that up.\n\nIwan Roberts scored for Norwich City, as the club history says.');
    expect(message.finishReason).toBe('stop');

    // Each call appears in the stream as running, then done, before the rest of the answer.
    const toolEvents = events.filter((e) => e.event === 'tool').map((e) => [e.data.call.id, e.data.call.status]);
    expect(toolEvents).toEqual(expect.arrayContaining([['call_search', 'running'], ['call_search', 'done'], ['call_time', 'running'], ['call_time', 'done']]));
    expect(toolEvents).toHaveLength(4);
    const lastToolEvent = events.map((e) => e.event).lastIndexOf('tool');
    const afterTools = events.slice(lastToolEvent).filter((e) => e.event === 'chunk').map((e) => e.data.text).join('');
    expect(afterTools).toContain('Iwan Roberts scored');

    // Stored with the answer, in order, with where they sit in the text.
    expect(message.toolCalls).toHaveLength(2);
    const [search, time] = message.toolCalls;
    expect(search).toMatchObject({ id: 'call_search', tool: 'search_knowledge', server: null, status: 'done', step: 1, error: null, arguments: { query: 'Iwan Roberts goals for Norwich', top_k: 2 } });
    expect(search.offset).toBe('Let me look that up.'.length);
    expect(search.result).toMatch(/\[1\] unstructured__norwich-city\.txt/);
    expect(search.result).toMatch(/Roberts/);
    expect(time).toMatchObject({ tool: 'current_time', status: 'done' });
    expect(time.result).toMatch(new RegExp(`^${new Date().getUTCFullYear()}-`));
    expect(time.durationMs).toBeGreaterThanOrEqual(0);

    // Two model calls: the first offered the tools, the second carried the results back in OpenAI's shape.
    const [first, second] = answerRequests().slice(before);
    expect(answerRequests().length - before).toBe(2);
    expect(first!.body.tools?.map((tool) => tool.function.name)).toEqual(['search_knowledge', 'current_time']);
    const tail = second!.body.messages.slice(-3);
    expect(tail[0]).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_search' }, { id: 'call_time' }] });
    expect(tail[1]).toMatchObject({ role: 'tool', tool_call_id: 'call_search' });
    expect(tail[1]!.content).toContain('Roberts');
    expect(tail[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_time', content: time.result });

    // Each step is its own charged model call; the answer's usage is their sum.
    const usage = await eventually(
      () => t.server.services.prisma.usageLog.findMany({ where: { messageId: message.id }, orderBy: { createdAt: 'asc' } }),
      (rows) => rows.length >= 2,
    );
    expect(usage.map((u) => u.outcome)).toEqual(['success', 'success']);
    expect(message.usage.promptTokens).toBe(usage[0]!.promptTokens + usage[1]!.promptTokens);

    // Audited: who, which tool, how it went; never the arguments or the result.
    const audits = await eventually(
      () => t.server.services.prisma.auditLog.findMany({ where: { action: 'tool.call', resourceId: message.id } }),
      (rows) => rows.length >= 2,
    );
    expect(audits.map((a) => (a.newValues as { tool: string }).tool).sort()).toEqual(['current_time', 'search_knowledge']);
    expect(audits[0]!.actorId).toBe(staff.id);
    expect(JSON.stringify(audits.map((a) => a.newValues))).not.toMatch(/Norwich|Europe\/London/);

    // History shows the calls as the stream did.
    const thread = await t.json(staff.token, 'GET', `/api/v1/conversations/${message.conversationId}`);
    const stored = thread.body.messages.find((m: { id: string }) => m.id === message.id);
    expect(stored.toolCalls.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      ['call_search', 'done'],
      ['call_time', 'done'],
    ]);
  });

  it('tells the model about an unknown tool, bad arguments and a failing tool, and still answers', async () => {
    const before = answerRequests().length;
    t.openai.chat.script(
      {
        text: '',
        toolCalls: [
          { id: 'call_unknown', name: 'delete_everything', arguments: {} },
          { id: 'call_bad', name: 'search_knowledge', arguments: '{"query": "unterminated' },
          { id: 'call_zone', name: 'current_time', arguments: { time_zone: 'Mars/Olympus_Mons' } },
        ],
      },
      { text: 'I could not use those tools.' },
    );
    const events = await ask(staff.token, 'Try some tools.');
    const message = events.at(-1)!.data.message;
    expect(message).toMatchObject({ status: 'complete', content: 'I could not use those tools.' });
    expect(message.toolCalls.map((c: { status: string; error: string }) => [c.status, c.error])).toEqual([
      ['failed', 'There is no tool named "delete_everything".'],
      ['failed', expect.stringMatching(/^The arguments are not a JSON object/)],
      ['failed', expect.stringMatching(/Unknown time zone "Mars\/Olympus_Mons"/)],
    ]);
    const toolMessages = answerRequests().slice(before)[1]!.body.messages.filter((m) => m.role === 'tool');
    expect(toolMessages.map((m) => m.content)).toEqual([
      'Error: There is no tool named "delete_everything".',
      expect.stringMatching(/^Error: The arguments are not a JSON object/),
      expect.stringMatching(/^Error: Unknown time zone/),
    ]);
  });

  it('stops offering tools at the step limit and asks for the answer in words', async () => {
    expect((await t.json(admin.token, 'PUT', '/api/v1/settings/tools', { maxSteps: 2, callTimeoutMs: 30_000, maxResultChars: 20_000 })).status).toBe(200);
    try {
      const before = answerRequests().length;
      const again = { text: 'Checking.', toolCalls: [{ name: 'current_time', arguments: {} }] };
      t.openai.chat.script(again, { ...again, text: 'Here is the time.' });
      const events = await ask(staff.token, 'What time is it, again and again?');
      const message = events.at(-1)!.data.message;
      expect(message.toolCalls).toHaveLength(1);
      const calls = answerRequests().slice(before);
      expect(calls).toHaveLength(2);
      expect(calls[0]!.body.tool_choice).toBe('auto');
      // The last step still lists the tools (the conversation refers to them) but forbids calling them.
      expect(calls[1]!.body.tool_choice).toBe('none');
      expect(calls[1]!.body.tools).toHaveLength(2);
      expect(message).toMatchObject({ status: 'complete', content: 'Checking.\n\nHere is the time.', finishReason: 'stop' });
    } finally {
      await t.json(admin.token, 'PUT', '/api/v1/settings/tools', { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 20_000 });
    }
  });

  it('cuts a result over the size limit and says so', async () => {
    expect((await t.json(admin.token, 'PUT', '/api/v1/settings/tools', { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 500 })).status).toBe(200);
    try {
      t.openai.chat.script({ text: '', toolCalls: [{ name: 'search_knowledge', arguments: { query: 'Norwich City history', top_k: 10 } }] }, { text: 'Done.' });
      const message = (await ask(staff.token, 'Tell me all about Norwich.')).at(-1)!.data.message;
      const [call] = message.toolCalls;
      expect(call.result.length).toBeLessThan(700);
      expect(call.result).toMatch(/\[Truncated: the result had [\d,]+ characters; only the first 500 are shown\.\]$/);
    } finally {
      await t.json(admin.token, 'PUT', '/api/v1/settings/tools', { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 20_000 });
    }
  });

  it('ends the answer with the quota message when the next step is refused', async () => {
    const quota = await t.server.services.prisma.quota.create({ data: { scope: 'user', scopeId: staff.id, requestsPerHour: 1 } });
    try {
      const before = answerRequests().length;
      t.openai.chat.script({ text: 'One moment.', toolCalls: [{ name: 'current_time', arguments: {} }] });
      const events = await ask(staff.token, 'What time is it?');
      const end = events.at(-1)!;
      expect(end.event).toBe('error');
      expect(end.data.error.code).toBe('quota_exceeded');
      expect(end.data.message).toMatchObject({ status: 'error', content: 'One moment.' });
      expect(end.data.message.toolCalls).toHaveLength(1);
      // The first step ran and was charged; the second was never sent.
      expect(answerRequests().length - before).toBe(1);
      const usage = await eventually(() => t.server.services.prisma.usageLog.findMany({ where: { messageId: end.data.message.id } }), (rows) => rows.length >= 1);
      expect(usage.map((u) => u.outcome)).toEqual(['success']);
    } finally {
      await t.server.services.prisma.quotaCounter.deleteMany({ where: { quotaId: quota.id } });
      await t.server.services.prisma.quota.delete({ where: { id: quota.id } });
    }
  });

  it('offers no tools for an assistant without any', async () => {
    const plain = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Plain' });
    t.openai.chat.script({ text: 'Just words.' });
    const message = (await ask(admin.token, 'Hello?', plain.body.id)).at(-1)!.data.message;
    expect(message).toMatchObject({ content: 'Just words.', toolCalls: [] });
    expect(t.openai.chatRequests().at(-1)!.body.tools).toBeUndefined();
  });

  it('refuses an unknown built-in tool name on the assistant', async () => {
    const res = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { builtinTools: ['run_shell'] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('runs the loop with Anthropic tool_use blocks too', async () => {
    const provider = await t.json(admin.token, 'POST', '/api/v1/providers', { name: 'Claude', kind: 'anthropic', baseUrl: t.anthropic.baseUrl });
    await t.json(admin.token, 'POST', `/api/v1/providers/${provider.body.id}/keys`, { apiKey: 'sk-ant-test-key' });
    const model = await t.json(admin.token, 'POST', '/api/v1/models', { providerId: provider.body.id, name: 'claude-tools-1', contextWindow: 200_000 });
    const claude = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Claude helper', modelId: model.body.id, builtinTools: ['current_time'] });
    t.anthropic.chat.script({ text: 'Checking the clock.', toolCalls: [{ id: 'toolu_1', name: 'current_time', arguments: { time_zone: 'Asia/Tokyo' } }] }, { text: 'It is evening in Tokyo.' });
    const message = (await ask(admin.token, 'Time in Tokyo?', claude.body.id)).at(-1)!.data.message;
    expect(message).toMatchObject({ status: 'complete', content: 'Checking the clock.\n\nIt is evening in Tokyo.', model: 'claude-tools-1' });
    expect(message.toolCalls[0]).toMatchObject({ id: 'toolu_1', tool: 'current_time', status: 'done' });
    const sent = t.anthropic.messageRequests().at(-1)!.body;
    expect(sent.tools?.map((tool) => tool.name)).toEqual(['current_time']);
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: message.toolCalls[0].result }] });
  });
});
