import { eventually, readEvents, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// Answer versions through the API: regenerate and edit keep the earlier
// versions, PUT .../branch chooses the one shown at any fork, and the choice
// is stored, so reading again, asking the next question and exporting all
// follow it. Only the owner may choose.

interface Shown {
  id: string;
  parentId: string | null;
  role: string;
  content: string;
  branch?: { index: number; count: number; previousId: string | null; nextId: string | null };
}

describe(`answer versions (${engineName})`, () => {
  let t: ChatTestServer;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let admin: { id: string; token: string };
  let assistantId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    alice = await t.login({ role: 'user' });
    bob = await t.login({ role: 'user' });
    const groupId = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Staff' })).body.id;
    for (const u of [alice, bob]) await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${u.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Helpdesk', groupIds: [groupId] })).body.id;
  }, 120_000); // the embedded engine starts slowly on a busy machine
  afterAll(() => t.close());

  const base = (id: string) => `/api/v1/conversations/${id}`;
  const start = async (token = alice.token) => (await t.json(token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
  async function answer(path: string, body?: unknown): Promise<{ userMessage: Shown | null; message: Shown }> {
    const res = await t.json(alice.token, 'POST', path, body);
    expect(res.status).toBe(201);
    return res.body;
  }
  const shown = async (id: string) => {
    const res = await t.json(alice.token, 'GET', base(id));
    expect(res.status).toBe(200);
    return res.body.messages as Shown[];
  };
  const contents = (messages: Shown[]) => messages.map((m) => m.content);
  const choose = (id: string, messageId: string, token = alice.token) => t.json(token, 'PUT', `${base(id)}/branch`, { messageId });
  /** What the model was sent for the last answer (titles are off here). */
  const lastPrompt = () => t.openai.chatRequests().at(-1)!.body.messages as { role: string; content: string }[];

  /** q1 → a1 → q2 → a2, then a1 regenerated as a1b (shown, without the follow-up). */
  async function forked() {
    const id = await start();
    t.openai.chat.script({ text: 'First answer' }, { text: 'Follow-up answer' }, { text: 'Second version of the first answer' });
    const one = await answer(`${base(id)}/messages`, { content: 'First question' });
    const two = await answer(`${base(id)}/messages`, { content: 'Follow-up question' });
    const again = await answer(`${base(id)}/messages/${one.message.id}/regenerate`);
    return { id, q1: one.userMessage!, a1: one.message, q2: two.userMessage!, a2: two.message, a1b: again.message };
  }

  it('shows the new version after a regenerate, and the earlier one with its follow-up once chosen', async () => {
    const { id, a1, a1b } = await forked();
    const after = await shown(id);
    expect(contents(after)).toEqual(['First question', 'Second version of the first answer']);
    // Its neighbours are what the app's ‹ › buttons choose.
    expect(after[1]).toMatchObject({ id: a1b.id, branch: { index: 2, count: 2, previousId: a1.id, nextId: null } });
    expect(after[0]!.branch).toEqual({ index: 1, count: 1, previousId: null, nextId: null });

    const chosen = await choose(id, a1.id);
    expect(chosen.status).toBe(200);
    expect(contents(chosen.body.messages)).toEqual(['First question', 'First answer', 'Follow-up question', 'Follow-up answer']);
    expect(chosen.body.messages[1].branch).toEqual({ index: 1, count: 2, previousId: null, nextId: a1b.id });
    expect(chosen.body).toMatchObject({ id, streaming: null });
    // Stored: read again (a reload, another device) shows the same versions.
    expect(await shown(id)).toEqual(chosen.body.messages);

    // And back to the second version.
    expect(contents((await choose(id, a1b.id)).body.messages)).toEqual(['First question', 'Second version of the first answer']);
  });

  it('continues the chosen branch with the next question, and makes every new answer the one shown', async () => {
    const { id, a1, a2, a1b } = await forked();
    await choose(id, a1.id);
    t.openai.chat.script({ text: 'Third answer' });
    const three = await answer(`${base(id)}/messages`, { content: 'Third question' });
    expect(three.userMessage!.parentId).toBe(a2.id);
    // The model heard the chosen branch, not the newer version.
    expect(contents(lastPrompt().filter((m) => m.role !== 'system') as Shown[])).toEqual(['First question', 'First answer', 'Follow-up question', 'Follow-up answer', 'Third question']);
    expect(contents(await shown(id))).toEqual(['First question', 'First answer', 'Follow-up question', 'Follow-up answer', 'Third question', 'Third answer']);

    // Regenerating on the other branch makes that new version the one shown.
    t.openai.chat.script({ text: 'Third version of the first answer' });
    await answer(`${base(id)}/messages/${a1b.id}/regenerate`);
    const regenerated = await shown(id);
    expect(contents(regenerated)).toEqual(['First question', 'Third version of the first answer']);
    expect(regenerated[1]!.branch).toMatchObject({ index: 3, count: 3, previousId: a1b.id, nextId: null });
  });

  it('switches between versions of an edited question; choosing a question shows its latest continuation', async () => {
    const { id, q1, a1 } = await forked();
    t.openai.chat.script({ text: 'Answer to the edited question' });
    const edited = await answer(`${base(id)}/messages/${q1.id}/edit`, { content: 'Edited first question' });
    const now = await shown(id);
    expect(contents(now)).toEqual(['Edited first question', 'Answer to the edited question']);
    expect(now[0]!.branch).toEqual({ index: 2, count: 2, previousId: q1.id, nextId: null });

    // The first version of the question: its newest continuation is the regenerated answer (a leaf newer than a2).
    const back = await choose(id, q1.id);
    expect(contents(back.body.messages)).toEqual(['First question', 'Second version of the first answer']);
    expect(back.body.messages[0].branch).toEqual({ index: 1, count: 2, previousId: null, nextId: edited.userMessage!.id });
    // Deeper: the first answer brings its follow-up along.
    expect(contents((await choose(id, a1.id)).body.messages)).toHaveLength(4);
    expect(contents((await choose(id, edited.userMessage!.id)).body.messages)).toEqual(['Edited first question', 'Answer to the edited question']);
  });

  it('exports the branch shown, as Markdown and as JSON', async () => {
    const { id, a1 } = await forked();
    const exported = async () => {
      const md = await (await t.api(alice.token, 'GET', `${base(id)}/export`)).text();
      const json = (await (await t.api(alice.token, 'GET', `${base(id)}/export?format=json`)).json()) as { messages: Shown[] };
      return { md, json: contents(json.messages) };
    };
    const newest = await exported();
    expect(newest.md).toContain('Second version of the first answer');
    expect(newest.md).not.toContain('Follow-up');
    expect(newest.json).toEqual(['First question', 'Second version of the first answer']);

    await choose(id, a1.id);
    const chosen = await exported();
    expect(chosen.md).toContain('## Helpdesk\n\nFirst answer');
    expect(chosen.md).toContain('Follow-up answer');
    expect(chosen.md).not.toContain('Second version');
    expect(chosen.json).toEqual(['First question', 'First answer', 'Follow-up question', 'Follow-up answer']);
  });

  it('tells the owner’s other tabs and devices (conversation:updated)', async () => {
    const { id, a1 } = await forked();
    const socket = await t.socket(alice.token);
    const heard = new Promise<{ conversation: { id: string } }>((resolve) => socket.once('conversation:updated', resolve));
    await choose(id, a1.id);
    expect((await heard).conversation.id).toBe(id);
    socket.close();
  });

  it('lets only the owner choose: anyone else’s conversation is not found, and nothing changes', async () => {
    const { id, a1, a1b } = await forked();
    for (const intruder of [bob, admin]) {
      const res = await choose(id, a1.id, intruder.token);
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 404, code: 'not_found' });
    }
    expect((await shown(id)).at(-1)!.id).toBe(a1b.id);
    // Bob cannot steer his own conversation to Alice's message either.
    const bobs = await start(bob.token);
    expect((await choose(bobs, a1.id, bob.token)).status).toBe(404);
  });

  it('validates the choice', async () => {
    const { id, a1 } = await forked();
    const other = await start();
    const cases: [unknown, number, string][] = [
      [{ messageId: 'not-a-uuid' }, 400, 'validation_failed'],
      [{}, 400, 'validation_failed'],
      [{ messageId: a1.id, extra: true }, 400, 'validation_failed'],
      [{ messageId: '00000000-0000-4000-8000-000000000000' }, 404, 'not_found'],
    ];
    for (const [body, status, code] of cases) {
      const res = await t.json(alice.token, 'PUT', `${base(id)}/branch`, body);
      expect({ body, status: res.status, code: res.body.error.code }).toEqual({ body, status, code });
    }
    // A message of another of her conversations is not a message of this one.
    expect((await choose(other, a1.id)).status).toBe(404);
    expect((await choose('00000000-0000-4000-8000-000000000000', a1.id)).status).toBe(404);
  });

  it('refuses to switch while an answer is being written', async () => {
    const { id, a1 } = await forked();
    t.openai.chat.script({ text: 'slow answer with several words in it', chunkDelayMs: 60 });
    const streaming = t.api(alice.token, 'POST', `${base(id)}/messages`, { content: 'slow one' }, { accept: 'text/event-stream' });
    await eventually(() => t.server.services.generations.active(id));
    const refused = await choose(id, a1.id);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'conflict' });
    await readEvents(await streaming);
    expect(contents(await shown(id)).at(-1)).toBe('slow answer with several words in it');
  });
});
