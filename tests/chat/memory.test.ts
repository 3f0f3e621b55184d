import type { Socket } from 'socket.io-client';
import { emitWithAck, eventually, record, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import type { ChatCall } from '../support/chatScript.js';
import { engineName } from '../support/testDb.js';

// Memory end to end through a real server: off by default; "remember that …"
// over the socket keeps a note and the model sees it; kept notes are recalled
// into later prompts (asserted on what the model server received) and named
// among the answer's sources; proposals come from a model call under the
// user's quota, asynchronously; other users, group switches and the audit log
// never see a memory's text.

type User = { id: string; email: string; token: string };
const PROPOSAL_SYSTEM = 'You help a user keep short notes';
const proposalReplyFor = (call: ChatCall) =>
  call.messages.at(-1)!.content.includes('Atlas migration kickoff')
    ? '```json\n{"memories": ["Leads the Atlas migration project", "Works from Lisbon on Fridays", "I work in the Berlin office."]}\n```'
    : '{"memories": []}';

describe(`memory (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: User;
  let alice: User;
  let bob: User;
  let assistantId: string;
  let groupId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false', MEMORY_PROPOSAL_DELAY_SECONDS: '0' });
    // Proposal requests are answered apart, so the answers' own replies stay the default echo.
    // Only a run that reads the Atlas kickoff proposes anything, whenever the other runs happen.
    t.openai.chat.intercept = (call: ChatCall) => (systemOf(call).startsWith(PROPOSAL_SYSTEM) ? { text: proposalReplyFor(call) } : undefined);
    [admin, alice, bob] = await Promise.all([t.login({ role: 'admin' }), t.login(), t.login()]);
    groupId = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Memory testers' })).body.id;
    for (const u of [alice, bob]) await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${u.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Helper', groupIds: [groupId] })).body.id;
  }, 60_000);
  afterAll(() => t.close());

  const systemOf = (call: { messages: { role: string; content: string }[] }) => call.messages.find((m) => m.role === 'system')?.content ?? '';
  const answerRequests = () => t.openai.chatRequests().filter((r) => !systemOf(r.body).startsWith(PROPOSAL_SYSTEM));
  const proposalRequests = () => t.openai.chatRequests().filter((r) => systemOf(r.body).startsWith(PROPOSAL_SYSTEM));
  const lastAnswerSystem = () => systemOf(answerRequests().at(-1)!.body);
  const newConversation = async (who: User) => (await t.json(who.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;

  async function ask(who: User, socket: Socket, conversationId: string, content: string) {
    const done = new Promise<any>((resolve) => {
      const onDone = (event: any) => {
        if (event.conversationId !== conversationId) return;
        socket.off('chat:done', onDone);
        resolve(event);
      };
      socket.on('chat:done', onDone);
    });
    const ack = await emitWithAck(socket, 'chat:send', { conversationId, content });
    expect(ack).toMatchObject({ ok: true });
    return (await done).message as { id: string; content: string; finishReason: string; sources: any[] };
  }
  const memories = async (who: User, status = '') => (await t.json(who.token, 'GET', `/api/v1/me/memories${status ? `?status=${status}` : ''}`)).body as { data: any[]; proposed: number };

  it('is off until the user turns it on: nothing is kept, recalled or proposed', async () => {
    expect((await t.json(alice.token, 'GET', '/api/v1/me/memory')).body).toEqual({ enabled: false, allowed: true, active: false });
    const socket = await t.socket(alice.token);
    const answer = await ask(alice, socket, await newConversation(alice), 'Remember that I work in the Berlin office');
    expect(answer.sources).toEqual([]);
    expect(lastAnswerSystem()).not.toMatch(/remember/i);
    expect((await memories(alice)).data).toEqual([]);
    const refused = await t.json(alice.token, 'POST', '/api/v1/me/memories', { text: 'I like tea' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(proposalRequests()).toHaveLength(0);
  });

  it('keeps "remember that …" said over the socket, and the model sees it and confirms', async () => {
    expect((await t.json(alice.token, 'PUT', '/api/v1/me/memory', { enabled: true })).body).toEqual({ enabled: true, allowed: true, active: true });
    const socket = await t.socket(alice.token);
    const conversationId = await newConversation(alice);
    const answer = await ask(alice, socket, conversationId, 'Remember that I work in the Berlin office.');

    const kept = (await memories(alice, 'kept')).data;
    expect(kept).toEqual([expect.objectContaining({ text: 'I work in the Berlin office.', status: 'kept', origin: 'explicit', conversationId })]);
    const system = lastAnswerSystem();
    expect(system).toContain('Notes the user asked you to remember');
    expect(system).toContain('- I work in the Berlin office.');
    expect(system).toMatch(/now saved in their memory/);
    expect(answer.sources).toEqual([{ kind: 'memory', index: 1, memoryId: kept[0].id, text: 'I work in the Berlin office.', score: expect.any(Number) }]);

    // Other phrasings: "Remember: …" and "remember I …"; "remember to …" is a reminder, not a note.
    await ask(alice, socket, conversationId, 'remember: my manager is Dana Okafor');
    await ask(alice, socket, conversationId, 'Remember I prefer short answers with bullet points');
    await ask(alice, socket, conversationId, 'Remember to water the plants');
    expect((await memories(alice, 'kept')).data.map((m) => m.text).sort()).toEqual(['I prefer short answers with bullet points', 'I work in the Berlin office.', 'my manager is Dana Okafor']);
  });

  it('recalls relevant kept memories into a new conversation, labelled as the user’s notes, and names them as sources', async () => {
    const socket = await t.socket(alice.token);
    const conversationId = await newConversation(alice);
    const answer = await ask(alice, socket, conversationId, 'Which office do I work in?');
    const system = lastAnswerSystem();
    expect(system).toContain('Notes the user asked you to remember (their own notes');
    expect(system).toContain('- I work in the Berlin office.');
    // A note sharing no word with the question, and not similar, stays out.
    expect(system).not.toContain('Dana Okafor');
    expect(system).not.toMatch(/now saved in their memory/);
    const memorySources = answer.sources.filter((s) => s.kind === 'memory');
    expect(memorySources.map((s) => s.text)).toContain('I work in the Berlin office.');
    expect(memorySources.map((s) => s.text)).not.toContain('my manager is Dana Okafor');

    // The stored answer carries them too (what the chat app shows after a reload).
    const thread = (await t.json(alice.token, 'GET', `/api/v1/conversations/${conversationId}`)).body;
    const stored = thread.messages.find((m: { id: string }) => m.id === answer.id);
    expect(stored.sources).toEqual(answer.sources);

    // A thumbs down sends the answer to the assistant's maintainers: its sources there are knowledge only.
    expect((await t.json(alice.token, 'PUT', `/api/v1/conversations/${conversationId}/messages/${answer.id}/feedback`, { rating: 'down', reasons: ['wrong'] })).status).toBe(200);
    const report = (await t.json(admin.token, 'GET', `/api/v1/feedback/negative?assistantId=${assistantId}`)).body;
    expect(report.data).toEqual([expect.objectContaining({ messageId: answer.id, sources: [] })]);
    expect(JSON.stringify(report)).not.toContain('Berlin office');

    // Shared with a colleague: the snapshot, and the copy they continue in, carry no memory source.
    const share = await t.json(alice.token, 'POST', `/api/v1/conversations/${conversationId}/shares`, { audience: 'user', email: bob.email });
    expect(share.status).toBe(201);
    const snapshot = (await t.json(bob.token, 'GET', `/api/v1/shared/${share.body.token}`)).body;
    expect(snapshot.messages.find((m: { id: string }) => m.id === answer.id)).toBeDefined();
    expect(JSON.stringify(snapshot)).not.toContain('Berlin office');
    const copy = await t.json(bob.token, 'POST', `/api/v1/shared/${share.body.token}/continue`);
    expect(copy.status).toBe(201);
    const copied = await t.server.services.prisma.message.findMany({ where: { conversationId: copy.body.id } });
    expect(JSON.stringify(copied.map((m) => m.sources))).not.toContain('memory');
  });

  it('proposes memories after a conversation, under the user’s quota; the user keeps or discards them', async () => {
    // Carol alone, so her usage and quota hold only her calls (earlier answers' proposal runs may still be finishing).
    const carol = await t.login();
    await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${carol.id}`, { role: 'member' });
    await t.json(carol.token, 'PUT', '/api/v1/me/memory', { enabled: true });
    expect((await t.json(carol.token, 'POST', '/api/v1/me/memories', { text: 'I work in the Berlin office.' })).status).toBe(201);
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: carol.id, tokensPerDay: 1_000_000 });
    expect(quota.status).toBe(201);
    const socket = await t.socket(carol.token);
    const notices = record(socket, ['memory:proposed']);
    const conversationId = await newConversation(carol);
    await ask(carol, socket, conversationId, 'Help me plan the Atlas migration kickoff next week');

    const proposed = await eventually(async () => (await memories(carol, 'proposed')).data, (list) => list.length === 2, 30_000);
    // The note already kept is not proposed again.
    expect(proposed.map((m) => m.text).sort()).toEqual(['Leads the Atlas migration project', 'Works from Lisbon on Fridays']);
    expect(proposed.every((m) => m.origin === 'proposed' && m.conversationId === conversationId)).toBe(true);
    await eventually(() => notices.length > 0);
    expect(notices.at(-1)!.payload).toEqual({ count: 2 });

    // The proposal call read the conversation and was charged to Carol: a usage record and her quota.
    const call = proposalRequests().find((r) => r.body.messages.at(-1)!.content.includes('Help me plan the Atlas migration kickoff'))!.body;
    expect(call.messages.at(-1)!.content).toContain('- I work in the Berlin office.');
    const usage = await t.server.services.prisma.usageLog.findMany({ where: { userId: carol.id } });
    expect(usage).toHaveLength(2);
    const proposalUsage = usage.find((u) => u.messageId === null)!;
    expect(proposalUsage).toMatchObject({ conversationId, outcome: 'success' });
    expect(proposalUsage.promptTokens).toBeGreaterThan(0);
    const view = (await t.json(admin.token, 'GET', `/api/v1/quotas/${quota.body.id}`)).body;
    const spent = usage.reduce((sum, u) => sum + u.promptTokens + u.completionTokens, 0);
    expect(JSON.stringify(view)).toContain(`"used":${spent}`);

    // Proposals are not recalled until kept.
    await ask(carol, socket, await newConversation(carol), 'What about the Atlas migration?');
    expect(lastAnswerSystem()).not.toContain('Leads the Atlas migration project');

    const atlas = proposed.find((m) => m.text.startsWith('Leads'))!;
    const lisbon = proposed.find((m) => m.text.startsWith('Works from'))!;
    expect((await t.json(carol.token, 'POST', `/api/v1/me/memories/${atlas.id}/keep`)).body).toMatchObject({ status: 'kept' });
    expect((await t.json(carol.token, 'DELETE', `/api/v1/me/memories/${lisbon.id}`)).status).toBe(204);
    expect((await memories(carol, 'proposed')).data).toEqual([]);

    await ask(carol, socket, await newConversation(carol), 'Who leads the Atlas migration?');
    expect(lastAnswerSystem()).toContain('- Leads the Atlas migration project');
    await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
  }, 60_000);

  it('keeps memories to their owner: other users, admins included, neither reach nor recall them', async () => {
    const alices = (await memories(alice)).data;
    const one = alices[0]!;
    for (const other of [bob, admin]) {
      expect((await t.json(other.token, 'GET', `/api/v1/me/memories/${one.id}`)).status).toBe(404);
      expect((await t.json(other.token, 'PATCH', `/api/v1/me/memories/${one.id}`, { text: 'hijacked' })).status).toBe(404);
      expect((await t.json(other.token, 'POST', `/api/v1/me/memories/${one.id}/keep`)).status).toBe(404);
      expect((await t.json(other.token, 'DELETE', `/api/v1/me/memories/${one.id}`)).status).toBe(404);
      expect((await memories(other)).data).toEqual([]);
    }
    await t.json(bob.token, 'PUT', '/api/v1/me/memory', { enabled: true });
    const socket = await t.socket(bob.token);
    await ask(bob, socket, await newConversation(bob), 'Which office do I work in?');
    expect(lastAnswerSystem()).not.toContain('Berlin');
    expect(lastAnswerSystem()).not.toContain('Notes the user asked you to remember');
  });

  it('is off for everyone in a group an admin turned it off for', async () => {
    const patched = await t.json(admin.token, 'PATCH', `/api/v1/groups/${groupId}`, { memoryDisabled: true });
    expect(patched.body).toMatchObject({ memoryDisabled: true });
    expect((await t.json(alice.token, 'GET', '/api/v1/me/memory')).body).toEqual({ enabled: true, allowed: false, active: false });

    const socket = await t.socket(alice.token);
    const before = (await memories(alice)).data.length;
    const answer = await ask(alice, socket, await newConversation(alice), 'Remember that the Berlin office moves in May. Which office do I work in?');
    expect(lastAnswerSystem()).not.toContain('Notes the user asked you to remember');
    expect(answer.sources).toEqual([]);
    expect((await memories(alice)).data.length).toBe(before);
    expect((await t.json(alice.token, 'POST', '/api/v1/me/memories', { text: 'x' })).status).toBe(403);
    // Seeing, exporting and deleting still work.
    expect((await t.json(alice.token, 'GET', '/api/v1/me/memories/export?format=json')).status).toBe(200);

    await t.json(admin.token, 'PATCH', `/api/v1/groups/${groupId}`, { memoryDisabled: false });
    expect((await t.json(alice.token, 'GET', '/api/v1/me/memory')).body.active).toBe(true);
  });

  it('confirms a note without a model call when a knowledge-only assistant finds nothing', async () => {
    const strict = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Strict', knowledgeOnly: true, groupIds: [groupId] })).body.id;
    const conversationId = (await t.json(alice.token, 'POST', '/api/v1/conversations', { assistantId: strict })).body.id;
    const requests = t.openai.chatRequests().length;
    const socket = await t.socket(alice.token);
    const answer = await ask(alice, socket, conversationId, 'Remember that my desk is on the third floor');
    expect(answer.content).toBe("I've saved this to your memory: “my desk is on the third floor”");
    expect(answer.finishReason).toBe('memory_saved');
    expect(answer.sources).toEqual([expect.objectContaining({ kind: 'memory', text: 'my desk is on the third floor' })]);
    expect(t.openai.chatRequests().length).toBe(requests);
  });

  it('edits, exports, deletes one and deletes all', async () => {
    const added = await t.json(alice.token, 'POST', '/api/v1/me/memories', { text: 'My team is Platform Reliability' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ origin: 'manual', status: 'kept' });
    // The same note again is the same memory.
    expect((await t.json(alice.token, 'POST', '/api/v1/me/memories', { text: '  my team is platform reliability ' })).body.id).toBe(added.body.id);
    const edited = await t.json(alice.token, 'PATCH', `/api/v1/me/memories/${added.body.id}`, { text: 'My team is Site Reliability' });
    expect(edited.body.text).toBe('My team is Site Reliability');

    const socket = await t.socket(alice.token);
    await ask(alice, socket, await newConversation(alice), 'Which team am I on?');
    expect(lastAnswerSystem()).toContain('- My team is Site Reliability');

    const json = await t.api(alice.token, 'GET', '/api/v1/me/memories/export?format=json');
    expect(json.headers.get('content-disposition')).toMatch(/attachment; filename="?memory-\d{4}-\d{2}-\d{2}\.json/);
    const exported = (await json.json()) as { memories: { text: string }[] };
    expect(exported.memories.map((m) => m.text)).toContain('My team is Site Reliability');
    const md = await (await t.api(alice.token, 'GET', '/api/v1/me/memories/export?format=md')).text();
    expect(md).toContain('# My memory');
    expect(md).toContain('- My team is Site Reliability');

    expect((await t.json(alice.token, 'DELETE', `/api/v1/me/memories/${added.body.id}`)).status).toBe(204);
    await ask(alice, socket, await newConversation(alice), 'Which team am I on?');
    expect(lastAnswerSystem()).not.toContain('Site Reliability');

    const count = (await memories(alice)).data.length;
    expect(count).toBeGreaterThan(0);
    expect((await t.json(alice.token, 'DELETE', '/api/v1/me/memories')).body).toEqual({ deleted: count });
    expect((await memories(alice)).data).toEqual([]);
    await ask(alice, socket, await newConversation(alice), 'Which office do I work in?');
    expect(lastAnswerSystem()).not.toContain('Notes the user asked you to remember');
  });

  it('audits that memories changed, never what they say', async () => {
    const entries = await t.server.services.prisma.auditLog.findMany({ where: { resourceType: 'memory' }, orderBy: { id: 'asc' } });
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['memory.settings', 'memory.create', 'memory.update', 'memory.delete', 'memory.delete_all']));
    const everything = JSON.stringify(await t.server.services.prisma.auditLog.findMany(), (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    expect(entries.find((e) => e.action === 'memory.delete_all')!.newValues).toEqual({ count: expect.any(Number) });
    for (const text of ['Berlin office', 'Dana Okafor', 'bullet points', 'Atlas migration', 'Lisbon', 'Reliability']) expect(everything).not.toContain(text);
  });
});
