import { DEFAULT_PASSWORD } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Each security-relevant change and every login outcome leaves an entry naming
// who, what and which record, and no secret is stored anywhere in the log.

describe(`what the audit log records (${engineName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', LOGIN_MAX_FAILURES: '3' });
  });
  afterAll(() => t.close());

  const entries = (where: { action?: string; resourceId?: string; actorEmail?: string }) =>
    t.prisma.auditLog.findMany({ where, orderBy: { id: 'asc' } });

  it('covers logins, failures, lockout, refresh reuse, logout, password changes and user and group administration', async () => {
    const WRONG = 'wrong password 123 x';
    const NEW_PASSWORD = 'a brand new password 77';
    const admin = await t.signIn({ role: 'admin' });
    const bearer = { Authorization: `Bearer ${admin.token}` };

    const created = await t.http.post('/api/v1/users').set(bearer).send({ email: 'subject@example.com', name: 'Subject', role: 'user' }).expect(201);
    const userId: string = created.body.id;
    const temporary: string = created.body.temporaryPassword;
    await t.http.post('/api/v1/auth/login').send({ email: 'ghost@example.com', password: WRONG }).expect(401);
    for (let i = 0; i < 3; i += 1) await t.http.post('/api/v1/auth/login').send({ email: 'subject@example.com', password: WRONG });
    await t.http.patch(`/api/v1/users/${userId}`).set(bearer).send({ locked: false }).expect(200);
    const login = await t.http.post('/api/v1/auth/login').send({ email: 'subject@example.com', password: temporary }).expect(200);
    const session = { Authorization: `Bearer ${login.body.accessToken}` };
    await t.http.post('/api/v1/me/password').set(session).send({ currentPassword: temporary, newPassword: NEW_PASSWORD }).expect(200);
    const relogin = await t.http.post('/api/v1/auth/login').send({ email: 'subject@example.com', password: NEW_PASSWORD }).expect(200);
    const cookie = (relogin.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('atrium_refresh='))!.split(';')[0]!;
    const rotated = await t.http.post('/api/v1/auth/refresh').set('Cookie', cookie).expect(200);
    await t.http.post('/api/v1/auth/refresh').set('Cookie', cookie).expect(401);
    const fresh = await t.http.post('/api/v1/auth/login').send({ email: 'subject@example.com', password: NEW_PASSWORD }).expect(200);
    const freshCookie = (fresh.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('atrium_refresh='))!.split(';')[0]!;
    await t.http.post('/api/v1/auth/logout').set('Cookie', freshCookie).expect(204);
    expect(rotated.body.accessToken).toBeDefined();

    await t.http.post(`/api/v1/users/${userId}/reset-password`).set(bearer).send({}).expect(200);
    await t.http.patch(`/api/v1/users/${userId}`).set(bearer).send({ role: 'manager' }).expect(200);
    await t.http.patch(`/api/v1/users/${userId}`).set(bearer).send({ name: 'Renamed' }).expect(200);
    await t.http.patch(`/api/v1/users/${userId}`).set(bearer).send({ active: false }).expect(200);
    await t.http.patch(`/api/v1/users/${userId}`).set(bearer).send({ active: true }).expect(200);

    const onUser = (await entries({ resourceId: userId })).map((e) => e.action);
    expect(onUser).toEqual([
      'user.create',
      'auth.login_failed',
      'auth.login_failed',
      'auth.login_failed',
      'auth.lockout',
      'user.unlock',
      'auth.login',
      'user.change_password',
      'auth.login',
      'auth.refresh_reuse',
      'auth.login',
      'auth.logout',
      'user.reset_password',
      'user.role_change',
      'user.update',
      'user.deactivate',
      'user.reactivate',
    ]);

    const [ghost] = await entries({ action: 'auth.login_failed', actorEmail: 'ghost@example.com' });
    expect(ghost).toMatchObject({ actorId: null, resourceId: null, newValues: { reason: 'unknown email' }, ip: expect.stringMatching(/127\.0\.0\.1/) });
    const [lockout] = await entries({ action: 'auth.lockout', resourceId: userId });
    expect(lockout).toMatchObject({ actorEmail: 'subject@example.com', newValues: { failures: 3, lockedUntil: expect.any(String) } });
    const [reuse] = await entries({ action: 'auth.refresh_reuse', resourceId: userId });
    expect(reuse).toMatchObject({ actorId: userId, newValues: { familyRevoked: true, familyId: expect.any(String) } });
    const [logout] = await entries({ action: 'auth.logout', resourceId: userId });
    expect(logout).toMatchObject({ actorId: userId, actorEmail: 'subject@example.com' });
    const [roleChange] = await entries({ action: 'user.role_change', resourceId: userId });
    expect(roleChange).toMatchObject({ actorId: admin.user.id, oldValues: { role: 'user' }, newValues: { role: 'manager' } });

    const group = await t.http.post('/api/v1/groups').set(bearer).send({ name: 'Audited group' }).expect(201);
    await t.http.put(`/api/v1/groups/${group.body.id}/members/${userId}`).set(bearer).send({ role: 'member' }).expect(204);
    await t.http.put(`/api/v1/groups/${group.body.id}/members/${userId}`).set(bearer).send({ role: 'manager' }).expect(204);
    await t.http.patch(`/api/v1/groups/${group.body.id}`).set(bearer).send({ description: 'x' }).expect(200);
    await t.http.delete(`/api/v1/groups/${group.body.id}/members/${userId}`).set(bearer).expect(204);
    await t.http.delete(`/api/v1/groups/${group.body.id}`).set(bearer).expect(204);
    expect((await entries({ resourceId: group.body.id })).map((e) => e.action)).toEqual([
      'group.create', 'group.member_add', 'group.member_role', 'group.update', 'group.member_remove', 'group.delete',
    ]);

    // No password, temporary or chosen, right or wrong, anywhere in the log.
    const everything = JSON.stringify(await t.prisma.$queryRawUnsafe<unknown[]>('SELECT row_to_json(a)::text AS r FROM audit_logs a'));
    for (const secret of [WRONG, NEW_PASSWORD, temporary, DEFAULT_PASSWORD]) expect(everything).not.toContain(secret);
    expect(await t.services.audit.verify()).toMatchObject({ ok: true });
  });
});
