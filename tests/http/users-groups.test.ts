import { createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

describe(`user and group administration (${engineName})`, () => {
  let t: TestApp;
  let admin: { user: { id: string; email: string }; token: string };
  const auth = () => ({ Authorization: `Bearer ${admin.token}` });

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000' });
    admin = await t.signIn({ role: 'admin', email: 'root-admin@example.com' });
  });
  afterAll(() => t.close());

  it('creates a user with a generated temporary password, shown once and never audited', async () => {
    const res = await t.http.post('/api/v1/users').set(auth()).send({ email: 'New.Hire@Example.com', name: 'New Hire', role: 'manager' }).expect(201);
    expect(res.body).toMatchObject({ email: 'new.hire@example.com', role: 'manager', mustChangePassword: true, temporaryPassword: expect.any(String) });
    const login = await t.http.post('/api/v1/auth/login').send({ email: 'new.hire@example.com', password: res.body.temporaryPassword }).expect(200);
    expect(login.body.user.mustChangePassword).toBe(true);

    const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'user.create', resourceId: res.body.id } });
    expect(entry).toMatchObject({ actorId: admin.user.id, actorEmail: admin.user.email, ip: expect.stringMatching(/127\.0\.0\.1/) });
    expect(JSON.stringify(entry.newValues)).not.toContain(res.body.temporaryPassword);
    expect((await t.http.get(`/api/v1/users/${res.body.id}`).set(auth()).expect(200)).body.temporaryPassword).toBeUndefined();
  });

  it('refuses duplicates, weak passwords, unknown roles and unknown fields with field-level errors', async () => {
    await t.http.post('/api/v1/users').set(auth()).send({ email: 'dup@example.com', name: 'A', role: 'user', password: 'a decent password 1' }).expect(201);
    const dup = await t.http.post('/api/v1/users').set(auth()).send({ email: 'DUP@example.com', name: 'B', role: 'user' }).expect(409);
    expect(dup.body.error).toMatchObject({ code: 'conflict', details: { field: 'email' } });

    const bad = await t.http.post('/api/v1/users').set(auth()).send({ email: 'x@example.com', name: '', role: 'owner', password: 'short', isAdmin: true }).expect(400);
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'role', 'password', '']));
    const hostile = await t.http.post('/api/v1/users').set(auth()).send({ email: "a'; DROP TABLE users;--@example.com", name: '<img src=x onerror=alert(1)>', role: 'user' });
    expect(hostile.status).toBe(400);
    expect(await t.prisma.user.count()).toBeGreaterThan(0);
  });

  it('lists users with paging, sorting, search and filters', async () => {
    for (const n of ['alpha', 'bravo', 'charlie']) await createUserRecord(t.prisma, { email: `${n}@list.example`, name: `Person ${n}`, active: n !== 'charlie' });
    const page = await t.http.get('/api/v1/users?q=list.example&sort=email&order=asc&pageSize=2').set(auth()).expect(200);
    expect(page.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(page.body.data.map((u: { email: string }) => u.email)).toEqual(['alpha@list.example', 'bravo@list.example']);
    const second = await t.http.get('/api/v1/users?q=list.example&sort=email&order=asc&pageSize=2&page=2').set(auth()).expect(200);
    expect(second.body.data.map((u: { email: string }) => u.email)).toEqual(['charlie@list.example']);
    const inactive = await t.http.get('/api/v1/users?q=PERSON&active=false').set(auth()).expect(200);
    expect(inactive.body.data.map((u: { email: string }) => u.email)).toEqual(['charlie@list.example']);
    const admins = await t.http.get('/api/v1/users?role=admin').set(auth()).expect(200);
    expect(admins.body.data.every((u: { role: string }) => u.role === 'admin')).toBe(true);
    await t.http.get('/api/v1/users?pageSize=100000').set(auth()).expect(400);
    await t.http.get('/api/v1/users?sort=passwordHash').set(auth()).expect(400);
    await t.http.get('/api/v1/users?sort=lastLoginAt').set(auth()).expect(200);
  });

  it('never leaves the system without an active admin', async () => {
    expect(await t.prisma.user.count({ where: { role: 'admin', active: true } })).toBe(1);
    const demoteSelf = await t.http.patch(`/api/v1/users/${admin.user.id}`).set(auth()).send({ role: 'user' }).expect(409);
    expect(demoteSelf.body.error.message).toMatch(/active admin/);
    await t.http.patch(`/api/v1/users/${admin.user.id}`).set(auth()).send({ active: false }).expect(409);
    const second = await createUserRecord(t.prisma, { role: 'admin' });
    const demoteOther = await t.http.patch(`/api/v1/users/${second.id}`).set(auth()).send({ role: 'manager' }).expect(200);
    expect(demoteOther.body.role).toBe('manager');
    expect(await t.prisma.user.count({ where: { role: 'admin', active: true } })).toBeGreaterThanOrEqual(1);
  });

  it('resets a password: sessions end, the user must choose a new one', async () => {
    const user = await t.signIn();
    const res = await t.http.post(`/api/v1/users/${user.user.id}/reset-password`).set(auth()).send({}).expect(200);
    expect(res.body.temporaryPassword).toEqual(expect.any(String));
    await t.http.get('/api/v1/me').set('Authorization', `Bearer ${user.token}`).expect(401);
    await t.http.post('/api/v1/auth/refresh').set('Cookie', user.cookie).expect(401);
    await t.http.post('/api/v1/auth/login').send({ email: user.user.email, password: DEFAULT_PASSWORD }).expect(401);
    const login = await t.http.post('/api/v1/auth/login').send({ email: user.user.email, password: res.body.temporaryPassword }).expect(200);
    expect(login.body.user.mustChangePassword).toBe(true);
    await t.http.post(`/api/v1/users/00000000-0000-4000-8000-000000000000/reset-password`).set(auth()).send({}).expect(404);
  });

  it('manages groups and memberships, reflected on users', async () => {
    const member = await createUserRecord(t.prisma);
    const group = (await t.http.post('/api/v1/groups').set(auth()).send({ name: 'Finance', description: 'Money people' }).expect(201)).body;
    await t.http.post('/api/v1/groups').set(auth()).send({ name: 'Finance' }).expect(409);
    await t.http.put(`/api/v1/groups/${group.id}/members/${member.id}`).set(auth()).send({ role: 'manager' }).expect(204);
    const shown = (await t.http.get(`/api/v1/users/${member.id}`).set(auth()).expect(200)).body;
    expect(shown.groups).toEqual([{ id: group.id, name: 'Finance', role: 'manager' }]);
    await t.http.put(`/api/v1/groups/${group.id}/members/${member.id}`).set(auth()).send({ role: 'member' }).expect(204);
    const withMembers = (await t.http.get(`/api/v1/groups/${group.id}`).set(auth()).expect(200)).body;
    expect(withMembers).toMatchObject({ name: 'Finance', memberCount: 1, members: [{ userId: member.id, role: 'member' }] });
    const filtered = await t.http.get(`/api/v1/users?groupId=${group.id}`).set(auth()).expect(200);
    expect(filtered.body.data.map((u: { id: string }) => u.id)).toEqual([member.id]);

    await t.http.patch(`/api/v1/groups/${group.id}`).set(auth()).send({ name: 'Finance & Ops' }).expect(200);
    await t.http.delete(`/api/v1/groups/${group.id}/members/${member.id}`).set(auth()).expect(204);
    await t.http.delete(`/api/v1/groups/${group.id}/members/${member.id}`).set(auth()).expect(404);
    await t.http.put(`/api/v1/groups/${group.id}/members/00000000-0000-4000-8000-000000000000`).set(auth()).send({}).expect(404);
    await t.http.delete(`/api/v1/groups/${group.id}`).set(auth()).expect(204);
    await t.http.get(`/api/v1/groups/${group.id}`).set(auth()).expect(404);
    await t.http.get('/api/v1/groups/not-a-uuid').set(auth()).expect(400);

    const actions = (await t.prisma.auditLog.findMany({ where: { resourceId: group.id }, orderBy: { id: 'asc' } })).map((e) => e.action);
    expect(actions).toEqual(['group.create', 'group.member_add', 'group.member_role', 'group.update', 'group.member_remove', 'group.delete']);
  });
});

describe(`audit log (${engineName})`, () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000' });
    token = (await t.signIn({ role: 'admin' })).token;
  });
  afterAll(() => t.close());

  it('filters entries and reports a valid chain', async () => {
    await t.http.post('/api/v1/groups').set('Authorization', `Bearer ${token}`).send({ name: 'Audited' }).expect(201);
    const list = await t.http.get('/api/v1/audit?action=group.create').set('Authorization', `Bearer ${token}`).expect(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ action: 'group.create', newValues: { name: 'Audited' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const verify = await t.http.get('/api/v1/audit/verify').set('Authorization', `Bearer ${token}`).expect(200);
    expect(verify.body).toMatchObject({ ok: true, checked: list.body.data.length + 1 });
  });

  it('keeps one unbroken chain when many entries are written at once', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => t.services.audit.record({ action: 'test.concurrent', newValues: { i } })));
    const result = await t.services.audit.verify(7);
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(25);
  });

  it('redacts secrets at any depth before storing them', async () => {
    await t.services.audit.record({ action: 'test.secret', newValues: { name: 'k', apiKey: 'sk-live-123', nested: { password: 'hunter2', list: [{ token: 'abc' }] } } });
    const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'test.secret' } });
    expect(entry.newValues).toEqual({ name: 'k', apiKey: '[redacted]', nested: { password: '[redacted]', list: [{ token: '[redacted]' }] } });
  });

  it('finds an entry edited behind its back (triggers disabled)', async () => {
    const victim = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'group.create' } });
    await t.prisma.$executeRawUnsafe('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete');
    await t.prisma.$executeRawUnsafe(`UPDATE audit_logs SET new_values = '{"name":"Forged"}' WHERE id = $1`, victim.id);
    await t.prisma.$executeRawUnsafe('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete');
    const verify = await t.http.get('/api/v1/audit/verify').set('Authorization', `Bearer ${token}`).expect(200);
    expect(verify.body).toMatchObject({ ok: false, firstBrokenId: victim.id.toString(), reason: expect.stringMatching(/does not match/) });
  });
});
