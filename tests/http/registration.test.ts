import { LoginRateLimiter } from '../../server/src/auth/loginGuard.js';
import { createGroupRecord, createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Self-registration without SMTP: accounts wait for an administrator's approval.
describe(`self-registration under the registration setting (${engineName})`, () => {
  let t: TestApp;
  let admin: { user: { id: string }; token: string };
  const auth = (token = admin.token) => ({ Authorization: `Bearer ${token}` });
  const password = 'a good password 7';
  const register = (email: string, body: object = {}) => t.http.post('/api/v1/auth/register').send({ email, name: 'New Person', password, ...body });
  const setPolicy = (value: object) => t.http.put('/api/v1/settings/registration').set(auth()).send(value);
  const openFor = async (domains: string[], extra: object = {}) => (await setPolicy({ policy: 'domains', allowedDomains: domains, ...extra }).expect(200)).body;

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', REGISTRATION_RATE_PER_MINUTE: '1000' });
    admin = await t.signIn({ role: 'admin' });
    // A fresh database and a sign-in; slow when the machine is busy.
  }, 60_000);
  afterAll(() => t.close());

  it('refuses sign-up while the policy is invite-only, and says so on the sign-in configuration', async () => {
    for (const policy of [undefined, 'closed', 'invite']) {
      if (policy) await setPolicy({ policy }).expect(200);
      const res = await register('someone@example.org').expect(403);
      expect(res.body.error.code).toBe('registration_closed');
      expect((await t.http.get('/api/v1/public/sign-in').expect(200)).body.registration).toEqual({ open: false });
    }
    expect(await t.prisma.user.count({ where: { email: 'someone@example.org' } })).toBe(0);
  });

  it('refuses a policy that would make administrators, open sign-up to no domain, or name missing groups', async () => {
    const bad: [object, string][] = [
      [{ policy: 'domains', allowedDomains: ['example.org'], defaultRole: 'admin' }, 'defaultRole'],
      [{ policy: 'domains' }, 'allowedDomains'],
      [{ policy: 'domains', allowedDomains: [] }, 'allowedDomains'],
      [{ policy: 'domains', allowedDomains: ['not a domain'] }, 'allowedDomains.0'],
      [{ policy: 'domains', allowedDomains: ['*.example.org'] }, 'allowedDomains.0'],
      [{ policy: 'domains', allowedDomains: ['example.org'], defaultGroupIds: ['00000000-0000-4000-8000-000000000000'] }, 'defaultGroupIds'],
    ];
    for (const [value, path] of bad) {
      const res = await setPolicy(value);
      expect({ value, status: res.status, code: res.body.error?.code }).toEqual({ value, status: 400, code: 'validation_failed' });
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    // Domains are kept in lower case, so matching never depends on how the admin typed them.
    expect((await openFor([' Example.ORG '])).value.allowedDomains).toEqual(['example.org']);
  });

  it('lets a listed domain sign up with the default role and groups; the account waits for approval, then signs in', async () => {
    const group = await createGroupRecord(t.prisma);
    await openFor(['example.org'], { defaultRole: 'manager', defaultGroupIds: [group.id] });
    expect((await t.http.get('/api/v1/public/sign-in').expect(200)).body.registration).toEqual({ open: true });

    const res = await register('Alice@Example.ORG', { name: 'Alice' }).expect(202);
    expect(res.body).toEqual({ status: 'pending_approval' });
    const alice = await t.prisma.user.findUniqueOrThrow({ where: { email: 'alice@example.org' }, include: { memberships: true } });
    expect(alice).toMatchObject({ name: 'Alice', role: 'manager', pending: 'approval', mustChangePassword: false, active: true });
    expect(alice.passwordHash).toMatch(/^\$2b\$12\$/);
    expect(alice.memberships.map((m) => [m.groupId, m.role])).toEqual([[group.id, 'member']]);
    const registered = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'auth.register', resourceId: alice.id } });
    expect(registered.newValues).toMatchObject({ email: 'alice@example.org', role: 'manager', groupIds: [group.id], pending: 'approval' });

    // Pending: the right password is refused with its own code; a wrong one looks like any wrong password.
    const pending = await t.http.post('/api/v1/auth/login').send({ email: 'alice@example.org', password }).expect(403);
    expect(pending.body.error).toMatchObject({ code: 'account_pending', details: { pending: 'approval' } });
    expect((await t.http.post('/api/v1/auth/login').send({ email: 'alice@example.org', password: 'wrong password 1' }).expect(401)).body.error.code).toBe('invalid_credentials');

    const waiting = await t.http.get('/api/v1/users?pending=true').set(auth()).expect(200);
    expect(waiting.body.data.map((u: { email: string; pending: string }) => [u.email, u.pending])).toEqual([['alice@example.org', 'approval']]);

    const staff = await t.signIn({ role: 'user' });
    expect((await t.http.post(`/api/v1/users/${alice.id}/approve`).set(auth(staff.token)).expect(403)).body.error.code).toBe('forbidden');
    const approved = await t.http.post(`/api/v1/users/${alice.id}/approve`).set(auth()).expect(200);
    expect(approved.body).toMatchObject({ id: alice.id, pending: null });
    const audit = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'user.approve', resourceId: alice.id } });
    expect(audit).toMatchObject({ actorId: admin.user.id, oldValues: { pending: 'approval' }, newValues: { pending: null } });
    expect((await t.http.post(`/api/v1/users/${alice.id}/approve`).set(auth()).expect(409)).body.error.code).toBe('conflict');

    const session = await t.http.post('/api/v1/auth/login').send({ email: 'alice@example.org', password }).expect(200);
    expect(session.body.user).toMatchObject({ email: 'alice@example.org', role: 'manager', pending: null });
    expect((await t.http.get('/api/v1/users?pending=true').set(auth()).expect(200)).body.total).toBe(0);
  });

  it('refuses addresses outside the listed domains, subdomains and look-alikes included', async () => {
    await openFor(['example.org']);
    for (const email of ['bob@evil.test', 'bob@mail.example.org', 'bob@example.org.evil.test', 'bob@notexample.org', 'bob@example.or']) {
      const res = await register(email);
      expect({ email, status: res.status, code: res.body.error?.code }).toEqual({ email, status: 403, code: 'email_domain_not_allowed' });
    }
    expect(await t.prisma.user.count({ where: { email: { startsWith: 'bob@' } } })).toBe(0);
    expect(await t.prisma.auditLog.count({ where: { action: 'auth.register_refused' } })).toBe(5);
  });

  it('answers an address that already has an account exactly as a new one, and changes nothing', async () => {
    await openFor(['example.org']);
    const existing = await createUserRecord(t.prisma, { email: 'carol@example.org', name: 'Carol' });
    const known = await register('carol@example.org', { name: 'Impostor' });
    const unknown = await register('dave@example.org', { name: 'Dave' });
    expect([known.status, known.body]).toEqual([unknown.status, unknown.body]);
    expect(known.body).toEqual({ status: 'pending_approval' });
    const after = await t.prisma.user.findUniqueOrThrow({ where: { email: 'carol@example.org' } });
    expect(after).toMatchObject({ id: existing.id, name: 'Carol', passwordHash: existing.passwordHash, pending: null });
    await t.http.post('/api/v1/auth/login').send({ email: 'carol@example.org', password: DEFAULT_PASSWORD }).expect(200);
    expect(await t.prisma.auditLog.count({ where: { action: 'auth.register_existing', resourceId: existing.id } })).toBe(1);
  });

  it('answers two simultaneous sign-ups for one address alike and keeps one account', async () => {
    await openFor(['example.org']);
    const [a, b] = await Promise.all([register('twin@example.org'), register('twin@example.org')]);
    expect([a.status, a.body, b.status, b.body]).toEqual([202, { status: 'pending_approval' }, 202, { status: 'pending_approval' }]);
    expect(await t.prisma.user.count({ where: { email: 'twin@example.org' } })).toBe(1);
  });

  it('validates the sign-up body with field-level issues', async () => {
    await openFor(['example.org']);
    const bad: [object, string][] = [
      [{ email: 'not-an-email', name: 'X', password }, 'email'],
      [{ email: 'x@example.org', name: 'X', password: 'short1' }, 'password'],
      [{ email: 'x@example.org', name: 'X', password: 'onlyletterslong' }, 'password'],
      [{ email: 'x@example.org', name: '', password }, 'name'],
      [{ email: 'x@example.org', name: 'X', password, role: 'admin' }, ''],
    ];
    for (const [body, path] of bad) {
      const res = await t.http.post('/api/v1/auth/register').send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'validation_failed' });
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect(await t.prisma.user.count({ where: { email: 'x@example.org' } })).toBe(0);
  });

  it('rate-limits sign-up attempts per address, successful or not', async () => {
    await openFor(['example.org']);
    const original = t.services.registrationLimiter;
    t.services.registrationLimiter = new LoginRateLimiter(3, 'sign-up attempts');
    try {
      await register('erin@example.org').expect(202);
      await register('erin@evil.test').expect(403);
      await register('frank@example.org').expect(202);
      const limited = await register('grace@example.org').expect(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(await t.prisma.user.count({ where: { email: 'grace@example.org' } })).toBe(0);
    } finally {
      t.services.registrationLimiter = original;
    }
  });
});
