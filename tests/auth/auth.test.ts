import jwt from 'jsonwebtoken';
import { createTestApp, refreshCookie, TEST_SECRET, type TestApp } from '../support/testApp.js';
import { createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { engineName } from '../support/testDb.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe(`authentication (${engineName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000' });
  });
  afterAll(() => t.close());

  const auditActions = async (userId: string) =>
    (await t.prisma.auditLog.findMany({ where: { resourceId: userId }, orderBy: { id: 'asc' } })).map((e) => e.action);

  it('logs in with email and password, returning an access token and an httpOnly refresh cookie', async () => {
    const user = await createUserRecord(t.prisma, { email: 'Mixed.Case@Example.com'.toLowerCase() });
    const res = await t.http.post('/api/v1/auth/login').send({ email: 'Mixed.Case@Example.COM', password: DEFAULT_PASSWORD }).expect(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: user.id, email: user.email, role: 'user' } });
    expect(res.body.user.passwordHash).toBeUndefined();
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('atrium_refresh='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth/);

    const me = await t.http.get('/api/v1/me').set(bearer(res.body.accessToken)).expect(200);
    expect(me.body).toMatchObject({ id: user.id, abilities: { 'user.list': false } });
    expect(await auditActions(user.id)).toContain('auth.login');
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).lastLoginAt).toBeInstanceOf(Date);
  });

  it('gives the same answer for a wrong password and an unknown email, and audits both', async () => {
    const user = await createUserRecord(t.prisma);
    const wrong = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'not the password 1' }).expect(401);
    const unknown = await t.http.post('/api/v1/auth/login').send({ email: 'nobody@example.com', password: 'not the password 1' }).expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toEqual({ code: 'invalid_credentials', message: 'Email or password is incorrect' });
    expect(await auditActions(user.id)).toContain('auth.login_failed');
    const unknownEntry = await t.prisma.auditLog.findFirst({ where: { action: 'auth.login_failed', actorEmail: 'nobody@example.com' } });
    expect(unknownEntry).not.toBeNull();
    expect(JSON.stringify({ ...unknownEntry, id: String(unknownEntry!.id) })).not.toContain('not the password');
  });

  it('rotates the refresh token, and a reused old token revokes the whole family', async () => {
    const { user, cookie } = await t.signIn();
    const first = await t.http.post('/api/v1/auth/refresh').set('Cookie', cookie).expect(200);
    const second = refreshCookie(first);
    expect(second).not.toBe(cookie);
    await t.http.get('/api/v1/me').set(bearer(first.body.accessToken)).expect(200);

    // The old cookie again: theft is assumed, the family dies.
    const reuse = await t.http.post('/api/v1/auth/refresh').set('Cookie', cookie).expect(401);
    expect(reuse.body.error.code).toBe('unauthenticated');
    await t.http.post('/api/v1/auth/refresh').set('Cookie', second).expect(401);
    expect(await auditActions(user.id)).toContain('auth.refresh_reuse');
    const family = await t.prisma.refreshTokenFamily.findFirstOrThrow({ where: { userId: user.id } });
    expect(family.revokedReason).toBe('refresh token reuse');
  });

  it('lets exactly one of two simultaneous refreshes with the same token win', async () => {
    const { cookie } = await t.signIn();
    const results = await Promise.all([1, 2].map(() => t.http.post('/api/v1/auth/refresh').set('Cookie', cookie)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses refresh without a cookie or with a forged one', async () => {
    await t.http.post('/api/v1/auth/refresh').expect(401);
    await t.http.post('/api/v1/auth/refresh').set('Cookie', 'atrium_refresh=forged-token-value').expect(401);
  });

  it('logs out by revoking the session family', async () => {
    const { user, cookie } = await t.signIn();
    const out = await t.http.post('/api/v1/auth/logout').set('Cookie', cookie).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/atrium_refresh=;/);
    await t.http.post('/api/v1/auth/refresh').set('Cookie', cookie).expect(401);
    expect(await auditActions(user.id)).toContain('auth.logout');
    // Logging out twice, or without a session, is harmless.
    await t.http.post('/api/v1/auth/logout').set('Cookie', cookie).expect(204);
    await t.http.post('/api/v1/auth/logout').expect(204);
  });

  it('locks an account after repeated failures, even for the right password, until an admin unlocks it', async () => {
    const user = await createUserRecord(t.prisma);
    for (let i = 1; i < 5; i += 1) {
      await t.http.post('/api/v1/auth/login').send({ email: user.email, password: `wrong password ${i}` }).expect(401);
    }
    const locked = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'wrong password 5' }).expect(429);
    expect(locked.body.error.code).toBe('account_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(locked.body.error.details.retryAfterSeconds).toBeGreaterThan(14 * 60);

    const stillLocked = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: DEFAULT_PASSWORD }).expect(429);
    expect(stillLocked.body.error.code).toBe('account_locked');
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['auth.login_failed', 'auth.lockout', 'auth.login_refused']));

    const admin = await t.signIn({ role: 'admin' });
    const unlocked = await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin.token)).send({ locked: false }).expect(200);
    expect(unlocked.body.locked).toBe(false);
    await t.http.post('/api/v1/auth/login').send({ email: user.email, password: DEFAULT_PASSWORD }).expect(200);
  });

  it('counts concurrent failures without losing any', async () => {
    const user = await createUserRecord(t.prisma);
    await Promise.all([1, 2, 3].map((i) => t.http.post('/api/v1/auth/login').send({ email: user.email, password: `concurrent wrong ${i}` })));
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).failedLoginCount).toBe(3);
  });

  it('rejects expired, tampered and unsigned access tokens with clear codes', async () => {
    const { user, token } = await t.signIn();
    const expired = jwt.sign({ role: 'user', typ: 'access', iatMs: Date.now() - 3_600_000 }, TEST_SECRET, {
      subject: user.id, issuer: 'atrium', audience: 'atrium-api', expiresIn: -10,
    });
    const res = await t.http.get('/api/v1/me').set(bearer(expired)).expect(401);
    expect(res.body.error.code).toBe('token_expired');

    const [header, payload] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' })).toString('base64url');
    await t.http.get('/api/v1/me').set(bearer(`${header}.${forgedPayload}.${token.split('.')[2]}`)).expect(401);
    const unsigned = jwt.sign({ role: 'admin', typ: 'access', iatMs: Date.now() }, '', { algorithm: 'none', subject: user.id, issuer: 'atrium', audience: 'atrium-api' });
    await t.http.get('/api/v1/me').set(bearer(unsigned)).expect(401);
    await t.http.get('/api/v1/me').set({ Authorization: 'Basic abc' }).expect(401);
    const none = await t.http.get('/api/v1/me').expect(401);
    expect(none.body.error).toEqual({ code: 'unauthenticated', message: 'Authentication required' });
  });

  it('makes a user with a temporary password change it before anything else', async () => {
    const { user, token } = await t.signIn({ role: 'admin', mustChangePassword: true });
    const me = await t.http.get('/api/v1/me').set(bearer(token)).expect(200);
    expect(me.body.mustChangePassword).toBe(true);
    const blocked = await t.http.get('/api/v1/users').set(bearer(token)).expect(403);
    expect(blocked.body.error.code).toBe('password_change_required');

    const weak = await t.http.post('/api/v1/me/password').set(bearer(token)).send({ currentPassword: DEFAULT_PASSWORD, newPassword: 'short' }).expect(400);
    expect(weak.body.error.details.issues[0].path).toBe('newPassword');
    await t.http.post('/api/v1/me/password').set(bearer(token)).send({ currentPassword: 'wrong current 1', newPassword: 'a brand new secret 9' }).expect(400);
    await t.http.post('/api/v1/me/password').set(bearer(token)).send({ currentPassword: DEFAULT_PASSWORD, newPassword: DEFAULT_PASSWORD }).expect(400);

    const changed = await t.http.post('/api/v1/me/password').set(bearer(token)).send({ currentPassword: DEFAULT_PASSWORD, newPassword: 'a brand new secret 9' }).expect(200);
    expect(changed.body.user.mustChangePassword).toBe(false);
    await t.http.get('/api/v1/users').set(bearer(changed.body.accessToken)).expect(200);
    // Tokens from before the change are void.
    await t.http.get('/api/v1/me').set(bearer(token)).expect(401);
    await t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'a brand new secret 9' }).expect(200);
    expect(await auditActions(user.id)).toContain('user.change_password');
  });

  it('shuts a deactivated user out at once: token, refresh and login', async () => {
    const { user, token, cookie } = await t.signIn();
    const admin = await t.signIn({ role: 'admin' });
    await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin.token)).send({ active: false }).expect(200);
    await t.http.get('/api/v1/me').set(bearer(token)).expect(401);
    await t.http.post('/api/v1/auth/refresh').set('Cookie', cookie).expect(401);
    const login = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: DEFAULT_PASSWORD }).expect(401);
    expect(login.body.error.message).toMatch(/deactivated/);
  });
});

describe('login rate limiting per address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '3', LOGIN_MAX_FAILURES: '50' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After once an address has failed too often, and successful logins do not count', async () => {
    const user = await createUserRecord(t.prisma);
    for (let i = 0; i < 3; i += 1) await t.http.post('/api/v1/auth/login').send({ email: user.email, password: DEFAULT_PASSWORD }).expect(200);
    for (let i = 0; i < 3; i += 1) await t.http.post('/api/v1/auth/login').send({ email: user.email, password: `wrong ${i} attempt` }).expect(401);
    const limited = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: DEFAULT_PASSWORD }).expect(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
