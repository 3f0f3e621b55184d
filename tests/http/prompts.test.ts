import { createGroupRecord } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// The prompt library: personal prompts stay their owner's; published ones
// reach the members of their groups; managers publish only to groups they
// manage; variables are listed; publishing is audited.

type Session = { user: { id: string }; token: string };

describe(`prompt library (${engineName})`, () => {
  let t: TestApp;
  let admin: Session;
  let manager: Session;
  let staff: Session;
  let outsider: Session;
  let sales: string; // managed by `manager`, with `staff` as a member
  let finance: string; // `outsider`'s group, not managed by `manager`

  beforeAll(async () => {
    t = await createTestApp();
    [admin, manager, staff, outsider] = await Promise.all([t.signIn({ role: 'admin' }), t.signIn({ role: 'manager' }), t.signIn(), t.signIn()]);
    sales = (await createGroupRecord(t.prisma, undefined, [{ userId: manager.user.id, role: 'manager' }, { userId: staff.user.id }])).id;
    finance = (await createGroupRecord(t.prisma, undefined, [{ userId: outsider.user.id }])).id;
  });
  afterAll(() => t.close());

  const as = (who: Session) => ({
    get: (path: string) => t.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${who.token}`),
    post: (path: string, body: object) => t.http.post(`/api/v1${path}`).set('Authorization', `Bearer ${who.token}`).send(body),
    patch: (path: string, body: object) => t.http.patch(`/api/v1${path}`).set('Authorization', `Bearer ${who.token}`).send(body),
    delete: (path: string) => t.http.delete(`/api/v1${path}`).set('Authorization', `Bearer ${who.token}`),
  });
  const titles = async (who: Session, query = '') => ((await as(who).get(`/prompts${query}`).expect(200)).body.data as { title: string }[]).map((p) => p.title);

  it('keeps personal prompts to their owner and lists their variables', async () => {
    const created = await as(staff).post('/prompts', { title: 'Reply to a customer', text: 'Write a polite reply to {{customer}} about {{ topic }}; sign as {{customer}}’s contact.' }).expect(201);
    expect(created.body).toMatchObject({ title: 'Reply to a customer', variables: ['customer', 'topic'], mine: true, groups: [], can: { edit: true } });
    expect(await titles(staff)).toEqual(['Reply to a customer']);
    // Nobody else sees it, an admin included.
    expect(await titles(outsider)).toEqual([]);
    await as(admin).get(`/prompts/${created.body.id}`).expect(404);
    await as(outsider).patch(`/prompts/${created.body.id}`, { title: 'Mine now' }).expect(404);
    await as(outsider).delete(`/prompts/${created.body.id}`).expect(404);

    const changed = await as(staff).patch(`/prompts/${created.body.id}`, { text: 'Summarise {{document}}' }).expect(200);
    expect(changed.body.variables).toEqual(['document']);
    // Personal prompts are not audited.
    expect(await t.prisma.auditLog.count({ where: { resourceType: 'prompt' } })).toBe(0);
  });

  it('publishes to groups: managers only to those they manage, members see them', async () => {
    const published = await as(manager).post('/prompts', { title: 'Sales follow-up', text: 'Follow up with {{customer}}', groupIds: [sales] }).expect(201);
    expect(published.body.groups).toEqual([expect.objectContaining({ id: sales })]);
    const refused = await as(manager).post('/prompts', { title: 'Finance memo', text: 'x', groupIds: [finance] }).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    await as(staff).post('/prompts', { title: 'Staff publishing', text: 'x', groupIds: [sales] }).expect(403);
    await as(admin).post('/prompts', { title: 'Finance memo', text: 'Memo for {{quarter}}', groupIds: [finance] }).expect(201);

    expect(await titles(staff)).toEqual(['Sales follow-up', 'Reply to a customer'].sort());
    expect(await titles(outsider)).toEqual(['Finance memo']);
    // A member uses a published prompt but may not change it.
    const forStaff = (await as(staff).get(`/prompts/${published.body.id}`).expect(200)).body;
    expect(forStaff).toMatchObject({ mine: false, can: { edit: false }, owner: { id: manager.user.id } });
    await as(staff).patch(`/prompts/${published.body.id}`, { title: 'Hijacked' }).expect(403);
    await as(outsider).get(`/prompts/${published.body.id}`).expect(404);

    // The console's list: admins every published prompt, managers those of their groups; staff may not ask.
    expect(await titles(admin, '?scope=published')).toEqual(['Finance memo', 'Sales follow-up']);
    expect(await titles(manager, '?scope=published')).toEqual(['Sales follow-up']);
    await as(staff).get('/prompts?scope=published').expect(403);

    // An admin may change a manager's published prompt; a manager may not move it to a group they do not manage.
    await as(admin).patch(`/prompts/${published.body.id}`, { title: 'Sales follow-up (v2)' }).expect(200);
    await as(manager).patch(`/prompts/${published.body.id}`, { groupIds: [sales, finance] }).expect(403);
    await as(manager).patch(`/prompts/${published.body.id}`, { groupIds: [] }).expect(200);
    expect(await titles(staff)).toEqual(['Reply to a customer']);

    const actions = (await t.prisma.auditLog.findMany({ where: { action: { startsWith: 'prompt.' } }, orderBy: { id: 'asc' } })).map((e) => e.action);
    expect(actions).toEqual(['prompt.publish', 'prompt.publish', 'prompt.update', 'prompt.update']);
  });

  it('searches titles and texts', async () => {
    expect(await titles(staff, '?q=summarise')).toEqual(['Reply to a customer']);
    expect(await titles(outsider, '?q=MEMO')).toEqual(['Finance memo']);
    expect(await titles(outsider, '?q=customer')).toEqual([]);
  });

  it('refuses bad input with the error shape', async () => {
    const res = await as(staff).post('/prompts', { title: '', text: 'x' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed' });
    await as(admin).post('/prompts', { title: 'Ghost', text: 'x', groupIds: ['00000000-0000-4000-8000-000000000000'] }).expect(404);
  });

  it('deletes: the owner their own, an admin a published one', async () => {
    const mine = (await as(staff).get('/prompts?scope=mine').expect(200)).body.data[0];
    await as(staff).delete(`/prompts/${mine.id}`).expect(204);
    const memo = (await as(outsider).get('/prompts').expect(200)).body.data[0];
    await as(outsider).delete(`/prompts/${memo.id}`).expect(403);
    await as(admin).delete(`/prompts/${memo.id}`).expect(204);
    expect(await t.prisma.auditLog.count({ where: { action: 'prompt.delete' } })).toBe(1);
  });
});
