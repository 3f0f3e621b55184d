import { emitWithAck, eventually, record, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// Chat over socket.io with the token checked at the handshake and the same
// commands and policies as REST: events for the answer, stop, regenerate,
// edit, and a reconnect in the middle of an answer that gets the rest.

const EVENTS = ['chat:start', 'chat:chunk', 'chat:done', 'chat:error', 'conversation:updated'];

describe(`chat over socket.io (${engineName})`, () => {
  let t: ChatTestServer;
  let owner: { id: string; token: string };
  let assistantId: string;

  beforeAll(async () => {
    t = await startChatServer();
    owner = await t.login({ role: 'admin' });
    assistantId = (await t.json(owner.token, 'POST', '/api/v1/assistants', { name: 'Sockets' })).body.id;
  });
  afterAll(() => t.close());

  const conversation = async (token = owner.token) => (await t.json(token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;

  it('refuses a handshake without a valid token', async () => {
    await expect(t.socket('not-a-token')).rejects.toMatchObject({ data: { code: expect.stringMatching(/unauthenticated|token/) } });
  });

  it('streams an answer as chat:start, chat:chunk in order, chat:done, then the generated title', async () => {
    const socket = await t.socket(owner.token);
    const seen = record(socket, EVENTS);
    const conversationId = await conversation();
    t.openai.chat.script({ text: 'Answers travel over the websocket.', chunkDelayMs: 5 });
    const ack = await emitWithAck(socket, 'chat:send', { conversationId, content: 'How do answers travel?' });
    expect(ack).toEqual({ ok: true, messageId: expect.any(String) });
    await eventually(() => seen.some((e) => e.name === 'conversation:updated'));
    const names = seen.map((e) => e.name).filter((n) => n !== 'conversation:updated');
    expect(names[0]).toBe('chat:start');
    expect(names.at(-1)).toBe('chat:done');
    expect(new Set(names.slice(1, -1))).toEqual(new Set(['chat:chunk']));
    const done = seen.find((e) => e.name === 'chat:done')!.payload;
    expect(done.message).toMatchObject({ id: ack.messageId, status: 'complete', content: 'Answers travel over the websocket.' });
    expect(seen.filter((e) => e.name === 'chat:chunk').map((e) => e.payload.text).join('')).toBe(done.message.content);
    expect(seen.at(-1)!.payload.conversation).toMatchObject({ id: conversationId, title: 'A generated title' });
  });

  it('validates payloads and refuses another user’s conversation as not found', async () => {
    const socket = await t.socket(owner.token);
    expect(await emitWithAck(socket, 'chat:send', { conversationId: 'nope', content: 'x' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await emitWithAck(socket, 'chat:send', { conversationId: crypto.randomUUID(), content: '' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });

    const stranger = await t.login({ role: 'admin' });
    const theirs = await conversation(stranger.token);
    for (const [event, payload] of [
      ['chat:send', { conversationId: theirs, content: 'let me in' }],
      ['chat:stop', { conversationId: theirs }],
      ['chat:resume', { conversationId: theirs }],
      ['chat:regenerate', { conversationId: theirs, messageId: crypto.randomUUID() }],
      ['chat:edit', { conversationId: theirs, messageId: crypto.randomUUID(), content: 'x' }],
    ] as const) {
      expect({ event, ack: await emitWithAck(socket, event, payload) }).toEqual({ event, ack: { ok: false, error: { code: 'not_found', message: 'Conversation not found' } } });
    }
    expect(await t.server.services.prisma.message.count({ where: { conversationId: theirs } })).toBe(0);
  });

  it('does not send one user’s answer events to another user', async () => {
    const other = await t.login({ role: 'admin' });
    const otherSocket = await t.socket(other.token);
    const leaked = record(otherSocket, EVENTS);
    const socket = await t.socket(owner.token);
    const conversationId = await conversation();
    const done = new Promise((resolve) => socket.once('chat:done', resolve));
    await emitWithAck(socket, 'chat:send', { conversationId, content: 'private question' });
    await done;
    await new Promise((r) => setTimeout(r, 100));
    expect(leaked).toEqual([]);
  });

  it('stops an answer from the socket and keeps what was written', async () => {
    const socket = await t.socket(owner.token);
    const seen = record(socket, EVENTS);
    const conversationId = await conversation();
    t.openai.chat.script({ text: Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '), chunkDelayMs: 30 });
    await emitWithAck(socket, 'chat:send', { conversationId, content: 'long' });
    await eventually(() => seen.filter((e) => e.name === 'chat:chunk').length >= 3);
    expect(await emitWithAck(socket, 'chat:stop', { conversationId })).toEqual({ ok: true, stopped: true });
    const done = (await eventually(() => seen.find((e) => e.name === 'chat:done')))!;
    expect(done.payload.message.status).toBe('stopped');
    expect(done.payload.message.content).toBe(seen.filter((e) => e.name === 'chat:chunk').map((e) => e.payload.text).join(''));
  });

  it('regenerates and edits over the socket', async () => {
    const socket = await t.socket(owner.token);
    const conversationId = await conversation();
    t.openai.chat.script({ text: 'v1' }, { text: 'v2' }, { text: 'v3' });
    const doneOnce = () => new Promise<any>((resolve) => socket.once('chat:done', resolve));
    let done = doneOnce();
    await emitWithAck(socket, 'chat:send', { conversationId, content: 'question' });
    const first = (await done).message;
    done = doneOnce();
    expect(await emitWithAck(socket, 'chat:regenerate', { conversationId, messageId: first.id })).toMatchObject({ ok: true });
    expect((await done).message).toMatchObject({ content: 'v2', parentId: first.parentId });
    done = doneOnce();
    expect(await emitWithAck(socket, 'chat:edit', { conversationId, messageId: first.parentId, content: 'better question' })).toMatchObject({ ok: true });
    expect((await done).message.content).toBe('v3');
    const shown = (await t.json(owner.token, 'GET', `/api/v1/conversations/${conversationId}`)).body.messages;
    expect(shown.map((m: { content: string }) => m.content)).toEqual(['better question', 'v3']);
  });

  it('lets a client that reconnects mid-answer get what it missed and the rest', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `t${i}`);
    t.openai.chat.script({ text: words.join(' '), chunkDelayMs: 25 });
    const conversationId = await conversation();
    const first = await t.socket(owner.token);
    const before = record(first, ['chat:chunk']);
    await emitWithAck(first, 'chat:send', { conversationId, content: 'count for me' });
    await eventually(() => before.length >= 5);
    first.disconnect();
    await new Promise((r) => setTimeout(r, 150)); // chunks go by while nobody listens

    const second = await t.socket(owner.token);
    const after = record(second, ['chat:chunk', 'chat:done']);
    const resume = await emitWithAck(second, 'chat:resume', { conversationId });
    expect(resume).toMatchObject({ ok: true, streaming: { messageId: expect.any(String), seq: expect.any(Number), text: expect.any(String) } });
    expect(resume.streaming.seq).toBeGreaterThan(before.length);
    const done = (await eventually(() => after.find((e) => e.name === 'chat:done')))!;
    // What a client does: take the snapshot, then every chunk after its seq.
    const rest = after.filter((e) => e.name === 'chat:chunk' && e.payload.seq > resume.streaming.seq).map((e) => e.payload.text).join('');
    expect(resume.streaming.text + rest).toBe(words.join(' '));
    expect(done.payload.message.content).toBe(words.join(' '));
    expect(await emitWithAck(second, 'chat:resume', { conversationId })).toEqual({ ok: true, streaming: null });
  });

  it('resumes over SSE as well, from the text so far', async () => {
    const { readEvents } = await import('../support/chatServer.js');
    t.openai.chat.script({ text: Array.from({ length: 30 }, (_, i) => `s${i}`).join(' '), chunkDelayMs: 25 });
    const conversationId = await conversation();
    const socket = await t.socket(owner.token);
    const ack = await emitWithAck(socket, 'chat:send', { conversationId, content: 'sse resume' });
    await eventually(() => (t.server.services.generations.active(conversationId)?.snapshot().seq ?? 0) >= 4);
    const res = await t.api(owner.token, 'GET', `/api/v1/conversations/${conversationId}/messages/${ack.messageId}/stream`, undefined, { accept: 'text/event-stream' });
    const events = await readEvents(res);
    expect(events[0]!.event).toBe('start');
    expect(events[0]!.data.seq).toBeGreaterThanOrEqual(4);
    const text = events[0]!.data.message.content + events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('');
    expect(text).toBe(events.at(-1)!.data.message.content);
    expect(events.at(-1)!.event).toBe('done');
    // Once finished, the stream gives the stored answer at once.
    const again = await readEvents(await t.api(owner.token, 'GET', `/api/v1/conversations/${conversationId}/messages/${ack.messageId}/stream`, undefined, { accept: 'text/event-stream' }));
    expect(again.map((e) => e.event)).toEqual(['start', 'done']);
  });
});
