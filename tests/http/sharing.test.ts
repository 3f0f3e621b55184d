import { fileURLToPath } from 'node:url';
import { createGroupRecord } from '../support/factories.js';
import { startChatServer, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';

// Shared conversations: a read-only snapshot for a colleague, a group or a
// link; nobody else can tell it exists; revocation ends access at once;
// passages reach only viewers who may read the knowledge; "continue in my
// chat" makes a copy that is the viewer's own; every step is audited
// without message text.

const TEXT = fileURLToPath(new URL('../fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url));
const QUESTION = 'How many goals did Iwan Roberts score for Norwich City?';

type Login = { id: string; email: string; token: string };

describe(`shared conversations (${engineName})`, () => {
  let t: ChatTestServer;
  let owner: Login;
  let colleague: Login; // uses the assistant (in its group)
  let outsider: Login; // in a group with the owner, but may not use the assistant
  let stranger: Login; // in no group of the owner's
  let assistantId: string;
  let teamGroup: string; // the assistant's group
  let clubGroup: string; // owner + outsider
  let conversationId: string;

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    const admin = await t.login({ role: 'admin' });
    [owner, colleague, outsider, stranger] = await Promise.all([t.login({ name: 'Olive Owner' }), t.login(), t.login(), t.login()]);
    const prisma = t.server.services.prisma;
    teamGroup = (await createGroupRecord(prisma, undefined, [{ userId: owner.id }, { userId: colleague.id }])).id;
    clubGroup = (await createGroupRecord(prisma, undefined, [{ userId: owner.id }, { userId: outsider.id }])).id;
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Football', groupIds: [teamGroup] })).body.id;
    expect(await uploadAndWait(t, admin.token, assistantId, TEXT)).toBe('ready');

    conversationId = (await t.json(owner.token, 'POST', '/api/v1/conversations', { assistantId })).body.id;
    t.openai.chat.script({ text: 'He scored 96 goals for the club [1].' });
    expect((await t.json(owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: QUESTION })).status).toBe(201);
  }, 120_000);
  afterAll(() => t.close());

  const share = async (who: Login, body: object, id = conversationId) => t.json(who.token, 'POST', `/api/v1/conversations/${id}/shares`, body);
  const view = (who: Login, token: string) => t.json(who.token, 'GET', `/api/v1/shared/${token}`);
  const sharedWithMe = async (who: Login) => ((await t.json(who.token, 'GET', '/api/v1/me/shared-with-me')).body.data as { token: string; via: string }[]);

  it('shares with a colleague by e-mail: they see the thread with its passages; nobody else can tell it exists', async () => {
    const created = await share(owner, { audience: 'user', email: colleague.email.toUpperCase() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ audience: 'user', user: { id: colleague.id, email: colleague.email }, group: null, viewers: 0 });

    const seen = await view(colleague, created.body.token);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ owner: { id: owner.id, name: 'Olive Owner' }, assistant: { id: assistantId, name: 'Football' }, passagesReadable: true, can: { continue: true, revoke: false } });
    expect(seen.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(seen.body.messages[0].content).toBe(QUESTION);
    const sources = seen.body.messages[1].sources as { fileName: string; text: string | null }[];
    expect(sources.length).toBeGreaterThan(0);
    expect(sources[0]!.fileName).toBe('unstructured__norwich-city.txt');
    expect(sources[0]!.text).toEqual(expect.stringContaining('Norwich'));

    // Others get "not found" (never "forbidden"), the token alone does not open a named share.
    for (const who of [stranger, outsider]) {
      const refused = await view(who, created.body.token);
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe('not_found');
    }
    expect((await view(stranger, 'a'.repeat(43))).status).toBe(404);
    expect((await t.api('', 'GET', `/api/v1/shared/${created.body.token}`)).status).toBe(401);

    expect((await sharedWithMe(colleague)).map((s) => [s.token, s.via])).toEqual([[created.body.token, 'user']]);
    expect(await sharedWithMe(stranger)).toEqual([]);
    expect(await sharedWithMe(owner)).toEqual([]);
    // The owner's list shows it, with its viewer.
    const listed = await t.json(owner.token, 'GET', `/api/v1/conversations/${conversationId}/shares`);
    expect(listed.body.data).toEqual([expect.objectContaining({ id: created.body.id, viewers: 1 })]);
  });

  it('only the owner shares, lists or revokes, and only what there is to share', async () => {
    expect((await share(colleague, { audience: 'link' })).status).toBe(404);
    expect((await t.json(colleague.token, 'GET', `/api/v1/conversations/${conversationId}/shares`)).status).toBe(404);
    expect((await share(owner, { audience: 'user', email: 'nobody-here@example.com' })).status).toBe(404);
    expect((await share(owner, { audience: 'user', email: owner.email })).status).toBe(400);
    const empty = (await t.json(owner.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
    expect((await share(owner, { audience: 'link' }, empty)).status).toBe(400);
    // Staff share with their own groups only; another group is "not found".
    const elsewhere = await createGroupRecord(t.server.services.prisma, undefined, [{ userId: stranger.id }]);
    expect((await share(owner, { audience: 'group', groupId: elsewhere.id })).status).toBe(404);
  });

  it('shows a snapshot: what is written after sharing is not in it', async () => {
    const created = (await share(owner, { audience: 'user', email: colleague.email })).body;
    const before = (await view(colleague, created.token)).body.messages.map((m: { id: string }) => m.id);
    expect(before).toHaveLength(2);

    // A follow-up, and a new version of the first answer, after sharing.
    const thread = (await t.json(owner.token, 'GET', `/api/v1/conversations/${conversationId}`)).body;
    expect((await t.json(owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'And who is the club captain?' })).status).toBe(201);
    expect((await t.json(owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages/${thread.messages[1].id}/regenerate`)).status).toBe(201);

    const after = (await view(colleague, created.token)).body.messages as { id: string; content: string }[];
    expect(after.map((m) => m.id)).toEqual(before);
    expect(after.map((m) => m.content).join(' ')).not.toContain('club captain');
    // A share made now takes the branch shown now (the regenerated answer).
    const now = (await share(owner, { audience: 'link' })).body;
    const shown = (await t.json(owner.token, 'GET', `/api/v1/conversations/${conversationId}`)).body.messages.map((m: { id: string }) => m.id);
    expect((await view(colleague, now.token)).body.messages.map((m: { id: string }) => m.id)).toEqual(shown);
  });

  it('shares with a group: a member who may not use the assistant sees file names, not passages, and may not continue', async () => {
    const created = await share(owner, { audience: 'group', groupId: clubGroup });
    expect(created.status).toBe(201);
    expect(created.body.group).toEqual({ id: clubGroup, name: expect.any(String) });

    const seen = await view(outsider, created.body.token);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ passagesReadable: false, can: { continue: false } });
    const sources = seen.body.messages[1].sources as { fileName: string; text: string | null; page: number | null }[];
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((s) => s.fileName === 'unstructured__norwich-city.txt' && s.text === null && s.page === null)).toBe(true);

    const refused = await t.json(outsider.token, 'POST', `/api/v1/shared/${created.body.token}/continue`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('Football');
    expect((await view(colleague, created.body.token)).status).toBe(404);
    expect((await sharedWithMe(outsider)).map((s) => s.via)).toEqual(['group']);
  });

  it('shares by link with anyone signed in; a view is recorded once and lists the link for the viewer', async () => {
    const link = (await share(owner, { audience: 'link' })).body;
    expect(link).toMatchObject({ audience: 'link', user: null, group: null });
    expect((await t.api('', 'GET', `/api/v1/shared/${link.token}`)).status).toBe(401);
    expect(await sharedWithMe(stranger)).toEqual([]);
    for (let i = 0; i < 2; i++) expect((await view(stranger, link.token)).status).toBe(200);
    expect((await sharedWithMe(stranger)).map((s) => [s.token, s.via])).toEqual([[link.token, 'link']]);
    // The stranger is in no group of the assistant's: file names only.
    expect((await view(stranger, link.token)).body.passagesReadable).toBe(false);
    const views = await t.server.services.prisma.auditLog.count({ where: { action: 'share.view', resourceId: link.id } });
    expect(views).toBe(1);
  });

  it('continues in the viewer\'s own chat: a copy that is theirs and goes on with the same assistant', async () => {
    const link = (await share(owner, { audience: 'link' })).body;
    const original = (await view(colleague, link.token)).body.messages as { role: string; content: string }[];
    const copied = await t.json(colleague.token, 'POST', `/api/v1/shared/${link.token}/continue`);
    expect(copied.status).toBe(201);
    expect(copied.body).toMatchObject({ assistantId, title: expect.any(String) });
    const copyId = copied.body.id as string;
    expect(copyId).not.toBe(conversationId);

    const mine = (await t.json(colleague.token, 'GET', `/api/v1/conversations/${copyId}`)).body;
    expect(mine.messages.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual(original.map((m) => [m.role, m.content]));
    expect(mine.messages[1].sources.length).toBeGreaterThan(0);
    expect(mine.messages.every((m: { id: string }) => !original.some((o) => (o as unknown as { id: string }).id === m.id))).toBe(true);
    expect((await t.json(owner.token, 'GET', `/api/v1/conversations/${copyId}`)).status).toBe(404);
    const listed = (await t.json(colleague.token, 'GET', '/api/v1/conversations')).body.data.map((c: { id: string }) => c.id);
    expect(listed).toContain(copyId);

    // The next question goes to the model with the copied history.
    const before = t.openai.chatRequests().length;
    expect((await t.json(colleague.token, 'POST', `/api/v1/conversations/${copyId}/messages`, { content: 'Tell me more' })).status).toBe(201);
    const sent = t.openai.chatRequests().slice(before).find((r) => r.body.messages.some((m) => m.content === 'Tell me more'))!;
    expect(sent.body.messages.some((m) => m.role === 'user' && m.content === original[0]!.content)).toBe(true);
    // The original is untouched.
    const owners = (await t.json(owner.token, 'GET', `/api/v1/conversations/${conversationId}`)).body.messages;
    expect(owners.map((m: { content: string }) => m.content)).not.toContain('Tell me more');
  });

  it('revocation ends access at once, for recipients and links alike', async () => {
    const named = (await share(owner, { audience: 'user', email: colleague.email })).body;
    const link = (await share(owner, { audience: 'link' })).body;
    expect((await view(colleague, named.token)).status).toBe(200);
    expect((await view(stranger, link.token)).status).toBe(200);

    // Only the owner revokes; anyone else is told it does not exist.
    expect((await t.json(colleague.token, 'DELETE', `/api/v1/shares/${named.id}`)).status).toBe(404);
    for (const s of [named, link]) expect((await t.json(owner.token, 'DELETE', `/api/v1/shares/${s.id}`)).status).toBe(204);
    expect((await view(colleague, named.token)).status).toBe(404);
    expect((await view(stranger, link.token)).status).toBe(404);
    expect((await t.json(stranger.token, 'POST', `/api/v1/shared/${link.token}/continue`)).status).toBe(404);
    expect((await sharedWithMe(colleague)).map((s) => s.token)).not.toContain(named.token);
    expect((await t.json(owner.token, 'DELETE', `/api/v1/shares/${named.id}`)).status).toBe(404);
    const remaining = (await t.json(owner.token, 'GET', `/api/v1/conversations/${conversationId}/shares`)).body.data.map((s: { id: string }) => s.id);
    expect(remaining).not.toEqual(expect.arrayContaining([named.id]));
    expect(remaining).not.toEqual(expect.arrayContaining([link.id]));
  });

  it('audits sharing, first views, continuing and revocation, without message text', async () => {
    const entries = await t.server.services.prisma.auditLog.findMany({ where: { action: { startsWith: 'share.' } }, orderBy: { id: 'asc' } });
    const actions = new Set(entries.map((e) => e.action));
    expect([...actions].sort()).toEqual(['share.continue', 'share.create', 'share.revoke', 'share.view']);
    const toUser = entries.find((e) => e.action === 'share.create' && (e.newValues as { audience: string }).audience === 'user')!;
    expect(toUser).toMatchObject({ actorId: owner.id, resourceType: 'conversation_share', newValues: expect.objectContaining({ conversationId, user: { id: colleague.id, email: colleague.email } }) });
    const toGroup = entries.find((e) => e.action === 'share.create' && (e.newValues as { audience: string }).audience === 'group')!;
    expect(toGroup.newValues).toMatchObject({ group: { id: clubGroup } });
    expect(entries.some((e) => e.action === 'share.continue' && e.actorId === colleague.id)).toBe(true);
    const text = JSON.stringify(entries.map((e) => [e.oldValues, e.newValues]));
    expect(text).not.toContain(QUESTION);
    expect(text).not.toContain('Norwich');
  });
});
