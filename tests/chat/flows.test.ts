import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readEvents, startChatServer, TEST_MODEL, uploadAndWait, type ChatTestServer, type SseEvent } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// Flows end to end: an assistant answers in steps (generate -> critique ->
// refine), each its own model call to the OpenAI protocol test server, with
// its own model and instructions, seeing the question, the passages of a
// real uploaded file and the earlier steps' outputs. Each step streams under
// its label, is stored with the answer, and is reserved and charged on its
// own; a quota refusal in step 2 ends the answer with the quota message;
// Stop ends the flow; a step's model passes the assistant-model check.

describe(`flows (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let staff: { id: string; token: string };
  let groupId: string;
  let assistantId: string;
  let generatorId: string;
  let criticId: string;
  let disabledId: string;
  let tmp: string;

  const steps = () => [
    { label: 'generate', modelId: generatorId, instructions: 'Write a first answer.' },
    { label: 'critique', modelId: criticId, instructions: 'CRITIQUE the draft: list its errors.' },
    { label: 'refine', modelId: generatorId, instructions: 'REFINE: write the final answer from the draft and the critique.' },
  ];

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    staff = await t.login({ role: 'user' });
    groupId = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Writers' })).body.id;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${staff.id}`, { role: 'member' });
    const models = (await t.json(admin.token, 'GET', '/api/v1/models')).body.data as { id: string; name: string; providerId: string }[];
    const generator = models.find((m) => m.name === TEST_MODEL)!;
    generatorId = generator.id;
    criticId = (await t.json(admin.token, 'POST', '/api/v1/models', { providerId: generator.providerId, name: 'critic-model', contextWindow: 32_000 })).body.id;
    const disabled = await t.json(admin.token, 'POST', '/api/v1/models', { providerId: generator.providerId, name: 'retired-model', contextWindow: 32_000 });
    disabledId = disabled.body.id;
    expect((await t.json(admin.token, 'PATCH', `/api/v1/models/${disabledId}`, { enabled: false })).status).toBe(200);

    const created = await t.json(admin.token, 'POST', '/api/v1/assistants', {
      name: 'Careful writer',
      instructions: 'You write for the staff handbook.',
      groupIds: [groupId],
      flowSteps: steps(),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ flow: true, flowSteps: steps() });
    assistantId = created.body.id;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-flows-'));
    const file = path.join(tmp, 'parking.md');
    fs.writeFileSync(file, '# Parking\n\nStaff park in garage B on level 2. Visitors park in garage A.\n');
    expect(await uploadAndWait(t, admin.token, assistantId, file)).toBe('ready');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const ask = async (content: string, until?: (event: SseEvent) => boolean) => {
    const conversationId = (await t.json(staff.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    const res = await t.api(staff.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content }, { accept: 'text/event-stream' });
    return { conversationId, events: await readEvents(res, until) };
  };
  const systemOf = (request: { body: { messages: { role: string; content: unknown }[] } }) => String(request.body.messages.find((m) => m.role === 'system')!.content);

  it('runs generate, critique and refine with each step’s model, each seeing the question, the passages and the earlier outputs', async () => {
    const before = t.openai.chatRequests().length;
    t.openai.chat.script({ text: 'Draft: staff park in garage A.' }, { text: 'Critique: the passage says garage B.' }, { text: 'Staff park in garage B, level 2.' });
    const { events } = await ask('Where do staff park?');

    const requests = t.openai.chatRequests().slice(before);
    expect(requests.map((r) => r.body.model)).toEqual([TEST_MODEL, 'critic-model', TEST_MODEL]);
    for (const request of requests) {
      expect(request.body.messages.at(-1)).toMatchObject({ role: 'user', content: 'Where do staff park?' });
      expect(systemOf(request)).toContain('garage B on level 2');
      expect(systemOf(request)).toContain('You write for the staff handbook.');
      expect(request.body.tools).toBeUndefined();
    }
    expect(systemOf(requests[0]!)).toContain('Write a first answer.');
    expect(systemOf(requests[0]!)).not.toContain('Draft:');
    expect(systemOf(requests[1]!)).toContain('CRITIQUE the draft');
    expect(systemOf(requests[1]!)).toContain('### Step 1: generate\nDraft: staff park in garage A.');
    expect(systemOf(requests[2]!)).toContain('REFINE');
    expect(systemOf(requests[2]!)).toContain('### Step 2: critique\nCritique: the passage says garage B.');
    expect(systemOf(requests[2]!)).toContain('Draft: staff park in garage A.');

    // The stream: each step under its label; only the last step's text is the answer's chunks.
    const stepEvents = events.filter((e) => e.event === 'step').map((e) => [e.data.step.label, e.data.step.status]);
    expect(stepEvents).toEqual([
      ['generate', 'running'],
      ['generate', 'done'],
      ['critique', 'running'],
      ['critique', 'done'],
      ['refine', 'running'],
      ['refine', 'done'],
    ]);
    const stepText = (index: number) => events.filter((e) => e.event === 'step_text' && e.data.index === index).map((e) => e.data.text).join('');
    expect(stepText(0)).toBe('Draft: staff park in garage A.');
    expect(stepText(1)).toBe('Critique: the passage says garage B.');
    expect(events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('')).toBe('Staff park in garage B, level 2.');

    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.message).toMatchObject({ status: 'complete', content: 'Staff park in garage B, level 2.', model: TEST_MODEL });
    expect(done.data.message.steps).toEqual([
      expect.objectContaining({ index: 0, label: 'generate', model: TEST_MODEL, status: 'done', text: 'Draft: staff park in garage A.', promptTokens: expect.any(Number) }),
      expect.objectContaining({ index: 1, label: 'critique', model: 'critic-model', status: 'done', text: 'Critique: the passage says garage B.' }),
      expect.objectContaining({ index: 2, label: 'refine', model: TEST_MODEL, status: 'done', text: 'Staff park in garage B, level 2.' }),
    ]);
    // Charged once per step, each under its own model, and the message holds the sum.
    const usage = await t.server.services.prisma.usageLog.findMany({ where: { messageId: done.data.message.id }, orderBy: { createdAt: 'asc' } });
    expect(usage.map((u) => [u.modelId, u.outcome])).toEqual([
      [generatorId, 'success'],
      [criticId, 'success'],
      [generatorId, 'success'],
    ]);
    const steps = done.data.message.steps as { promptTokens: number; completionTokens: number }[];
    expect(done.data.message.usage.promptTokens).toBe(steps.reduce((sum, s) => sum + s.promptTokens, 0));
    expect(usage.reduce((sum, u) => sum + u.promptTokens, 0)).toBe(done.data.message.usage.promptTokens);
    // History keeps the steps.
    const detail = await t.json(staff.token, 'GET', `/api/v1/conversations/${done.data.message.conversationId}`);
    expect(JSON.stringify(detail.body)).toContain('Critique: the passage says garage B.');
    const exported = await t.api(staff.token, 'GET', `/api/v1/conversations/${done.data.message.conversationId}/export?format=md`);
    const markdown = await exported.text();
    expect(markdown).toContain('Earlier steps:\n- generate (test-chat-model, done): Draft: staff park in garage A.\n- critique (critic-model, done): Critique: the passage says garage B.');
    expect(markdown).toContain('Staff park in garage B, level 2.');
  });

  it('ends the answer with the usual quota message when quota refuses step 2', async () => {
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: staff.id, requestsPerMinute: 1 });
    expect(quota.status).toBe(201);
    try {
      const before = t.openai.chatRequests().length;
      t.openai.chat.script({ text: 'Draft only.' });
      const { events } = await ask('Where do visitors park?');
      expect(t.openai.chatRequests().length).toBe(before + 1);
      const end = events.at(-1)!;
      expect(end.event).toBe('error');
      expect(end.data.error).toMatchObject({ code: 'quota_exceeded', details: { limit: 'requestsPerMinute' } });
      expect(end.data.message).toMatchObject({ status: 'error', error: end.data.error.message });
      expect(end.data.message.steps.map((s: { label: string; status: string; text: string }) => [s.label, s.status, s.text])).toEqual([
        ['generate', 'done', 'Draft only.'],
        ['critique', 'failed', ''],
        ['refine', 'pending', ''],
      ]);
      const usage = await t.server.services.prisma.usageLog.findMany({ where: { messageId: end.data.message.id } });
      expect(usage).toHaveLength(1);
    } finally {
      await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
    }
  });

  it('stops the flow during a step and keeps what the steps wrote', async () => {
    const before = t.openai.chatRequests().length;
    t.openai.chat.script({ text: 'A long draft that goes on and on and on and on and on and on and on and on.', chunkDelayMs: 100 });
    let conversationId = '';
    let resumed: Promise<SseEvent[]> | null = null;
    const { events } = await ask('Write at length.', (event) => {
      if (event.event === 'step_text' && !conversationId) {
        conversationId = event.data.conversationId;
        // A client that joins mid-step (a reload) gets the step so far in the start event, then the stop.
        resumed = t
          .api(staff.token, 'GET', `/api/v1/conversations/${conversationId}/messages/${event.data.messageId}/stream`, undefined, { accept: 'text/event-stream' })
          .then((res) => readEvents(res, (e) => e.event === 'start'))
          .then(async (joined) => {
            await t.json(staff.token, 'POST', `/api/v1/conversations/${conversationId}/stop`);
            return joined;
          });
      }
      return false;
    });
    const joined = (await resumed!)[0]!;
    expect(joined.data.message.steps[0]).toMatchObject({ label: 'generate', status: 'running', text: expect.stringMatching(/^A /) });
    const end = events.at(-1)!;
    expect(end.event).toBe('done');
    expect(end.data.message.status).toBe('stopped');
    expect(end.data.message.steps[0]).toMatchObject({ label: 'generate', status: 'stopped' });
    expect(end.data.message.steps[0].text.length).toBeGreaterThan(0);
    expect(end.data.message.steps.slice(1).map((s: { status: string }) => s.status)).toEqual(['pending', 'pending']);
    expect(t.openai.chatRequests().length).toBe(before + 1);
    const usage = await t.server.services.prisma.usageLog.findMany({ where: { messageId: end.data.message.id } });
    expect(usage.map((u) => u.outcome)).toEqual(['stopped']);
  });

  it('refuses a step whose model the assistant could not use, and a flow of one step', async () => {
    const bad = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, {
      flowSteps: [steps()[0], { label: 'critique', modelId: disabledId, instructions: 'x' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: 'flowSteps.1.modelId', message: expect.stringMatching(/disabled/) }] } });
    const unknown = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { flowSteps: [steps()[0], { label: 'x', modelId: crypto.randomUUID(), instructions: '' }] });
    expect(unknown.body.error.details.issues[0]).toMatchObject({ path: 'flowSteps.1.modelId', message: 'is not a known model' });
    const single = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { flowSteps: [steps()[0]] });
    expect(single.status).toBe(400);
    expect((await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantId}`)).body.flowSteps).toEqual(steps());

    // Back to one model, then a flow again; each change audited.
    const plain = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { flowSteps: null });
    expect(plain.body).toMatchObject({ flow: false, flowSteps: null });
    const again = await t.json(admin.token, 'PATCH', `/api/v1/assistants/${assistantId}`, { flowSteps: steps().slice(1) });
    expect(again.body.flowSteps.map((s: { label: string }) => s.label)).toEqual(['critique', 'refine']);
    const audits = await t.server.services.prisma.auditLog.findMany({ where: { action: 'assistant.update', resourceId: assistantId }, orderBy: { createdAt: 'asc' } });
    expect(audits.at(-1)!.newValues).toMatchObject({ flowSteps: steps().slice(1) });
  });
});
