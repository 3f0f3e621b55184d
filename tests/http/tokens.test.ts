import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../server/src/app.js';
import { createLogger } from '../../server/src/lib/logger.js';
import { createServices, type Services } from '../../server/src/services.js';
import { createGroupRecord, createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { testConfig } from '../support/testApp.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// Personal access tokens over HTTP: created once and shown once, stored hashed,
// acting as their user only on the routes their scopes open, and refused at
// once when revoked, expired, switched off or when their user is deactivated.
// The app logs at `info` into a buffer, so the test can prove no token is logged.

type Session = { id: string; email: string; jwt: string };

describe(`personal access tokens (${engineName})`, () => {
  let database: TestDatabase;
  let services: Services;
  let http: ReturnType<typeof request>;
  const logged: string[] = [];
  let admin: Session;
  let staff: Session;
  let stranger: Session;
  let sharedAssistant: string;
  let hiddenAssistant: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function signIn(role: 'user' | 'admin' | 'manager' = 'user'): Promise<Session> {
    const user = await createUserRecord(services.prisma, { role });
    const res = await http.post('/api/v1/auth/login').send({ email: user.email, password: DEFAULT_PASSWORD }).expect(200);
    return { id: user.id, email: user.email, jwt: res.body.accessToken as string };
  }

  async function createToken(owner: Session, body: object = {}) {
    const res = await http.post('/api/v1/me/tokens').set(auth(owner.jwt)).send({ name: 'script', ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string; prefix: string; scopes: string[]; expiresAt: string };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const sink = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });
    services = createServices(testConfig({ LOGIN_RATE_PER_MINUTE: '1000' }), database.db, createLogger('info', sink));
    http = request(createApp(services));
    admin = await signIn('admin');
    staff = await signIn();
    stranger = await signIn();
    const group = await createGroupRecord(services.prisma, undefined, [{ userId: staff.id }]);
    sharedAssistant = (await services.prisma.assistant.create({ data: { name: 'Shared', groups: { create: [{ groupId: group.id }] } } })).id;
    hiddenAssistant = (await services.prisma.assistant.create({ data: { name: 'Hidden' } })).id;
   }, 120_000);
  afterAll(() => database.drop());

  it('shows the token once, stores only a hash, and lists it without the secret', async () => {
    const created = await createToken(staff, { name: 'laptop', scopes: ['chat', 'mcp'] });
    expect(created.token).toMatch(/^atr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    expect(created.scopes).toEqual(['chat', 'mcp']);
    // Default expiry: 90 days.
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);

    const row = await services.prisma.personalAccessToken.findUniqueOrThrow({ where: { id: created.id } });
    const secret = created.token.split('_').slice(2).join('_');
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);

    const list = await http.get('/api/v1/me/tokens').set(auth(staff.jwt)).expect(200);
    const listed = list.body.data.find((t: { id: string }) => t.id === created.id);
    expect(listed).toMatchObject({ name: 'laptop', prefix: created.prefix, scopes: ['chat', 'mcp'], lastUsedAt: null, revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    // Nobody else sees it in their own list.
    const others = await http.get('/api/v1/me/tokens').set(auth(stranger.jwt)).expect(200);
    expect(others.body.data.map((t: { id: string }) => t.id)).not.toContain(created.id);
  });

  it('acts as its user on the routes its scope opens, and records when it was last used', async () => {
    const { id, token } = await createToken(staff);
    const assistants = await http.get('/api/v1/assistants').set(auth(token)).expect(200);
    expect(assistants.body.data.map((a: { id: string }) => a.id)).toEqual([sharedAssistant]);
    const conversation = await http.post('/api/v1/conversations').set(auth(token)).send({ assistantId: sharedAssistant }).expect(201);
    const mine = await http.get('/api/v1/conversations').set(auth(staff.jwt)).expect(200);
    expect(mine.body.data.map((c: { id: string }) => c.id)).toContain(conversation.body.id);
    expect((await services.prisma.personalAccessToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull();
  });

  it('never reaches an assistant its user may not use, another user’s conversation, or a route its scope does not open', async () => {
    const { token } = await createToken(staff);
    await http.get(`/api/v1/assistants/${hiddenAssistant}`).set(auth(token)).expect(404);
    await http.post('/api/v1/conversations').set(auth(token)).send({ assistantId: hiddenAssistant }).expect(404);
    const theirs = await services.prisma.conversation.create({ data: { userId: stranger.id, assistantId: sharedAssistant } });
    await http.get(`/api/v1/conversations/${theirs.id}`).set(auth(token)).expect(404);

    const searchOnly = await createToken(staff, { scopes: ['knowledge:read'] });
    const refused = await http.get('/api/v1/assistants').set(auth(searchOnly.token)).expect(403);
    expect(refused.body.error).toEqual({ code: 'forbidden', message: 'This access token lacks the "chat" scope' });
    await http.post(`/api/v1/assistants/${sharedAssistant}/search`).set(auth(searchOnly.token)).send({ query: 'holidays' }).expect(200);
    await http.post(`/api/v1/assistants/${hiddenAssistant}/search`).set(auth(searchOnly.token)).send({ query: 'holidays' }).expect(404);
  });

  it('never opens a route that takes no token, even an admin’s token with every scope', async () => {
    const { token } = await createToken(admin, { scopes: ['chat', 'knowledge:read', 'mcp'] });
    const doc = (await http.get('/api/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
    };
    const closed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security?.length && !op.security.some((s) => s.personalAccessToken))
        .map(([method, _op]) => ({ method, path: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000').replace('/settings/00000000-0000-4000-8000-000000000000', '/settings/tokens') })),
    );
    // The token routes themselves, the users, audit and settings are among them.
    expect(closed.map((c) => `${c.method} ${c.path}`)).toEqual(expect.arrayContaining(['post /api/v1/me/tokens', 'get /api/v1/users', 'get /api/v1/audit', 'get /api/v1/tokens']));
    for (const { method, path } of closed) {
      const res = await (http as unknown as Record<string, (p: string) => request.Test>)[method]!(path).set(auth(token)).send({});
      expect({ op: `${method} ${path}`, status: res.status, code: res.body?.error?.code }).toEqual({ op: `${method} ${path}`, status: 403, code: 'forbidden' });
    }
  });

  it('is refused at once when revoked, expired, or when its user is deactivated', async () => {
    const revoked = await createToken(staff);
    await http.get('/api/v1/assistants').set(auth(revoked.token)).expect(200);
    await http.delete(`/api/v1/me/tokens/${revoked.id}`).set(auth(staff.jwt)).expect(204);
    expect((await http.get('/api/v1/assistants').set(auth(revoked.token)).expect(401)).body.error.code).toBe('unauthenticated');

    const expired = await createToken(staff);
    await services.prisma.personalAccessToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await http.get('/api/v1/assistants').set(auth(expired.token)).expect(401)).body.error.code).toBe('token_expired');

    // A token with the right lookup part but a wrong secret opens nothing.
    const valid = await createToken(staff);
    const forged = valid.token.slice(0, -4) + (valid.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await http.get('/api/v1/assistants').set(auth(forged)).expect(401);

    const leaver = await signIn();
    const theirs = await createToken(leaver);
    await http.get('/api/v1/assistants').set(auth(theirs.token)).expect(200);
    await services.prisma.user.update({ where: { id: leaver.id }, data: { active: false } });
    await http.get('/api/v1/assistants').set(auth(theirs.token)).expect(401);
  });

  it('lets only its owner revoke a token through /me, and admins list and revoke everyone’s', async () => {
    const theirs = await createToken(stranger, { name: 'ci-runner' });
    await http.delete(`/api/v1/me/tokens/${theirs.id}`).set(auth(staff.jwt)).expect(404);
    await http.get('/api/v1/tokens').set(auth(staff.jwt)).expect(403);
    await http.delete(`/api/v1/tokens/${theirs.id}`).set(auth(staff.jwt)).expect(403);

    const all = await http.get('/api/v1/tokens').set(auth(admin.jwt)).expect(200);
    expect(all.body.data.find((t: { id: string }) => t.id === theirs.id)).toMatchObject({ name: 'ci-runner', owner: { id: stranger.id, email: stranger.email } });
    await http.delete(`/api/v1/tokens/${theirs.id}`).set(auth(admin.jwt)).expect(204);
    await http.get('/api/v1/assistants').set(auth(theirs.token)).expect(401);
    const withRevoked = await http.get('/api/v1/tokens?includeRevoked=true').set(auth(admin.jwt)).expect(200);
    expect(withRevoked.body.data.find((t: { id: string }) => t.id === theirs.id).revokedAt).not.toBeNull();

    const entries = await services.prisma.auditLog.findMany({ where: { resourceId: theirs.id }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => [e.action, e.actorId])).toEqual([
      ['token.create', stranger.id],
      ['token.revoke', admin.id],
    ]);
  });

  it('follows the admin’s switches: longest expiry, and roles or groups without tokens', async () => {
    await http.put('/api/v1/settings/tokens').set(auth(admin.jwt)).send({ maxExpiryDays: 30, disabledRoles: [], disabledGroupIds: [] }).expect(200);
    const tooLong = await http.post('/api/v1/me/tokens').set(auth(staff.jwt)).send({ name: 'long', expiresInDays: 31 }).expect(400);
    expect(tooLong.body.error.code).toBe('validation_failed');
    const capped = await createToken(staff);
    expect((Date.parse(capped.expiresAt) - Date.now()) / 86_400_000).toBeLessThanOrEqual(30);

    const group = await createGroupRecord(services.prisma, undefined, [{ userId: stranger.id }]);
    const before = await createToken(stranger);
    await http.put('/api/v1/settings/tokens').set(auth(admin.jwt)).send({ maxExpiryDays: 30, disabledRoles: [], disabledGroupIds: [group.id] }).expect(200);
    await http.get('/api/v1/assistants').set(auth(before.token)).expect(401);
    await http.post('/api/v1/me/tokens').set(auth(stranger.jwt)).send({ name: 'again' }).expect(403);
    await http.get('/api/v1/assistants').set(auth(capped.token)).expect(200);

    await http.put('/api/v1/settings/tokens').set(auth(admin.jwt)).send({ maxExpiryDays: 30, disabledRoles: ['user'], disabledGroupIds: [] }).expect(200);
    await http.get('/api/v1/assistants').set(auth(capped.token)).expect(401);
    await http.get('/api/v1/assistants').set(auth(before.token)).expect(401);
    await http.put('/api/v1/settings/tokens').set(auth(admin.jwt)).send({ maxExpiryDays: 365, disabledRoles: [], disabledGroupIds: [] }).expect(200);
    await http.get('/api/v1/assistants').set(auth(before.token)).expect(200);
  });

  it('names the token on audit entries, and the chain still verifies', async () => {
    const { id } = await createToken(staff, { name: 'auditor' });
    await services.audit.record({ actor: { id: staff.id, email: staff.email, token: { id, name: 'auditor' } }, action: 'test.with_token' });
    await services.audit.record({ actor: { id: staff.id, email: staff.email }, action: 'test.without_token' });
    const [withToken, without] = await Promise.all(['test.with_token', 'test.without_token'].map((action) => services.prisma.auditLog.findFirstOrThrow({ where: { action } })));
    expect(withToken!.actorToken).toEqual({ id, name: 'auditor' });
    expect(without!.actorToken).toBeNull();
    expect(await services.audit.verify()).toMatchObject({ ok: true });
    const listed = await http.get('/api/v1/audit?action=test.with_token').set(auth(admin.jwt)).expect(200);
    expect(listed.body.data[0]).toMatchObject({ actorToken: { id, name: 'auditor' } });
  });

  it('never writes a token to the log', async () => {
    const { token } = await createToken(staff);
    await http.get('/api/v1/assistants').set(auth(token)).expect(200);
    await http.get('/api/v1/users').set(auth(token)).expect(403);
    await http.get('/api/v1/assistants').set({ Authorization: `Bearer ${token}x` }).expect(401);
    const lines = logged.join('');
    expect(lines).toContain('/api/v1/assistants');
    expect(lines).not.toContain(token.slice(4));
    expect(lines).not.toMatch(/atr_[0-9a-f]{16}_/);
  });
});
