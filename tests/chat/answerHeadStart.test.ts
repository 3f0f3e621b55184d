import { readEvents, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName, nativeUrl } from '../support/testDb.js';

// The model call goes out as soon as the prompt is ready, while the question
// and the empty answer are stored (chat/answer.ts, chat/llm/headStart.ts).
// What that must not change: a turn that cannot be stored is refused as
// before, with the model request cancelled, nothing stored and the quota
// reservation handed back; and the client still hears the stored turn before
// the first chunk. A trigger makes the store fail (or slow) for one question.

const FAIL = 'this question cannot be stored';
const SLOW = 'this question is stored slowly';

describe(`the model call overlaps storing the turn (${engineName})`, () => {
  let t: ChatTestServer;
  let admin: { id: string; token: string };
  let user: { id: string; token: string };
  let assistantId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    user = await t.login({ role: 'user' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Early callers' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${user.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Early', groupIds: [group.body.id], maxTokens: 100 })).body.id;
    await t.server.services.prisma.$executeRawUnsafe(`CREATE TABLE head_start_stores (stored_at timestamptz NOT NULL)`);
    await t.server.services.prisma.$executeRawUnsafe(`
      CREATE FUNCTION head_start_store() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.content = '${FAIL}' THEN PERFORM pg_sleep(1); RAISE EXCEPTION 'the store failed (test trigger)'; END IF;
        IF NEW.content = '${SLOW}' THEN PERFORM pg_sleep(0.5); INSERT INTO head_start_stores VALUES (clock_timestamp()); END IF;
        RETURN NEW;
      END $$`);
    await t.server.services.prisma.$executeRawUnsafe(`CREATE TRIGGER head_start_store BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION head_start_store()`);
  });
  afterAll(() => t.close());

  it('refuses a turn that cannot be stored: the model request is cancelled, nothing is stored, the quota is handed back', async () => {
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: user.id, tokensPerDay: 1_000_000 });
    expect(quota.status).toBe(201);
    const conversationId = (await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId })).body.id;
    // The reply waits long enough that only a cancellation, not its end, can finish it. The store
    // fails after a second: time enough for the request to go out on a crowded machine (with
    // 0.3 s it once did not, under a parallel run of every suite).
    t.openai.chat.script({ text: 'This must never be stored.', headersDelayMs: 300, firstTokenDelayMs: 5000 });
    const requestsBefore = t.openai.chatRequests().length;
    const cancelledBefore = t.openai.chat.cancelled;
    const completedBefore = t.openai.chat.completed;

    const res = await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: FAIL });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal');

    // The request went out while the store was failing (the point of starting early), and it was cancelled,
    // never answered in full. (On PGlite the sleeping trigger holds the server's thread: it may not have gone out.)
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sent = t.openai.chatRequests().length - requestsBefore;
    expect(sent).toBe(nativeUrl ? 1 : Math.min(sent, 1));
    t.openai.chat.clear();
    expect(t.openai.chat.cancelled - cancelledBefore).toBe(sent);
    expect(t.openai.chat.completed).toBe(completedBefore);
    const prisma = t.server.services.prisma;
    expect(await prisma.message.count({ where: { conversationId } })).toBe(0);
    expect(await prisma.quotaReservation.count()).toBe(0);
    const counters = await prisma.quotaCounter.findMany({ where: { quotaId: quota.body.id } });
    expect(counters.length).toBeGreaterThan(0);
    for (const counter of counters) expect(Number(counter.reservedTokens)).toBe(0);

    // The conversation is free again and answers the next question.
    const next = await t.json(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'And now?' });
    expect(next.status).toBe(201);
    expect(next.body.message).toMatchObject({ status: 'complete' });
    expect(await prisma.message.count({ where: { conversationId } })).toBe(2);
    await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
  });

  // On PGlite the database runs on the server's own thread, so a sleeping trigger stalls the model request too.
  (nativeUrl ? it : it.skip)('sends the model request before the turn is stored, and streams the turn first, then the answer', async () => {
    const conversationId = (await t.json(user.token, 'POST', `/api/v1/conversations`, { assistantId })).body.id;
    t.openai.chat.script({ text: 'Early bird answer.', chunkDelayMs: 5 });
    const res = await t.api(user.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: SLOW }, { accept: 'text/event-stream' });
    expect(res.status).toBe(200);
    const events = await readEvents(res);

    const request = t.openai.chatRequests().at(-1)!;
    expect(request.body.messages.at(-1)).toMatchObject({ role: 'user', content: SLOW });
    const [{ stored_at: storedAt }] = (await t.server.services.prisma.$queryRawUnsafe<{ stored_at: Date }[]>(`SELECT stored_at FROM head_start_stores`)) as [{ stored_at: Date }];
    // The store slept half a second; the model had the request long before it finished.
    expect(request.receivedAt).toBeLessThan(storedAt.getTime() - 200);

    const names = events.map((e) => e.event);
    expect(names[0]).toBe('start');
    expect(names.at(-1)).toBe('done');
    expect(new Set(names.slice(1, -1))).toEqual(new Set(['chunk']));
    expect(events[0]!.data).toMatchObject({ conversationId, userMessage: { content: SLOW }, message: { status: 'streaming' }, seq: 0 });
    expect(events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('')).toBe('Early bird answer.');
    expect(events.at(-1)!.data.message).toMatchObject({ status: 'complete', content: 'Early bird answer.' });
  });
});
