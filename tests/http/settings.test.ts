import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

describe(`system settings over HTTP (${engineName})`, () => {
  let t: TestApp;
  let admin: { user: { id: string; email: string }; token: string };
  const auth = (token = admin.token) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000' });
    admin = await t.signIn({ role: 'admin' });
  }, 120_000);
  afterAll(() => t.close());

  it('lists every setting with its default until one is saved', async () => {
    const res = await t.http.get('/api/v1/settings').set(auth()).expect(200);
    expect(res.body.total).toBe(7);
    expect(res.body.data).toEqual([
      { key: 'rag.defaults', value: { topK: 5, similarityThreshold: null, chunkSize: 512, chunkOverlap: 50 }, saved: false, updatedAt: null, updatedById: null },
      { key: 'registration', value: { policy: 'closed' }, saved: false, updatedAt: null, updatedById: null },
      { key: 'branding', value: { name: 'Atrium', accentColor: '#1f6feb' }, saved: false, updatedAt: null, updatedById: null },
      { key: 'tokens', value: { maxExpiryDays: 365, disabledRoles: [], disabledGroupIds: [] }, saved: false, updatedAt: null, updatedById: null },
      { key: 'tools', value: { maxSteps: 5, callTimeoutMs: 30_000, maxResultChars: 20_000, approvalTimeoutMs: 120_000 }, saved: false, updatedAt: null, updatedById: null },
      { key: 'webSources', value: { allowList: [], userAgent: 'AtriumBot' }, saved: false, updatedAt: null, updatedById: null },
      { key: 'attachments', value: { maxFileMb: 20, userStorageMb: 500 }, saved: false, updatedAt: null, updatedById: null },
    ]);
  });

  it('saves a value, reads it back, and audits old and new values', async () => {
    const first = { name: 'Acme Help', accentColor: '#aa3300', logoUrl: '/logo.png' };
    const saved = await t.http.put('/api/v1/settings/branding').set(auth()).send(first).expect(200);
    expect(saved.body).toMatchObject({ key: 'branding', value: first, saved: true, updatedById: admin.user.id });
    const second = { name: 'Acme', accentColor: '#00AA33' };
    await t.http.put('/api/v1/settings/branding').set(auth()).send(second).expect(200);

    const read = await t.http.get('/api/v1/settings/branding').set(auth()).expect(200);
    expect(read.body.value).toEqual(second);
    expect(await t.prisma.setting.findUnique({ where: { key: 'branding' } })).toMatchObject({ value: second });

    const entries = await t.prisma.auditLog.findMany({ where: { action: 'settings.update', resourceId: 'branding' }, orderBy: { createdAt: 'asc' } });
    expect(entries.map((e) => [e.oldValues, e.newValues, e.actorId])).toEqual([
      [null, first, admin.user.id],
      [first, second, admin.user.id],
    ]);
  });

  it('validates each key against its own schema, with field-level issues', async () => {
    const bad: [string, object, string][] = [
      ['rag.defaults', { topK: 0, similarityThreshold: 0.7, chunkSize: 512, chunkOverlap: 50 }, 'topK'],
      ['rag.defaults', { topK: 5, similarityThreshold: 1.5, chunkSize: 512, chunkOverlap: 50 }, 'similarityThreshold'],
      ['rag.defaults', { topK: 5, similarityThreshold: 0.5, chunkSize: 256, chunkOverlap: 256 }, 'chunkOverlap'],
      ['registration', { policy: 'open' }, 'policy'],
      ['branding', { name: 'X', accentColor: 'red' }, 'accentColor'],
      ['branding', { name: 'X', accentColor: '#123456', logoUrl: 'javascript:alert(1)' }, 'logoUrl'],
      ['branding', { name: 'X', accentColor: '#123456', extra: 1 }, ''],
    ];
    for (const [key, body, path] of bad) {
      const res = await t.http.put(`/api/v1/settings/${key}`).set(auth()).send(body);
      expect({ key, status: res.status, code: res.body.error?.code }).toEqual({ key, status: 400, code: 'validation_failed' });
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    await t.http.put('/api/v1/settings/unknown.key').set(auth()).send({}).expect(400);
    await t.http.get('/api/v1/settings/unknown.key').set(auth()).expect(400);

    const good = { topK: 8, similarityThreshold: 0.5, chunkSize: 800, chunkOverlap: 80 };
    expect((await t.http.put('/api/v1/settings/rag.defaults').set(auth()).send(good).expect(200)).body.value).toEqual(good);
    expect(await t.prisma.auditLog.count({ where: { action: 'settings.update', resourceId: 'registration' } })).toBe(0);
  });

  it('lets managers read and only admins change', async () => {
    const manager = await t.signIn({ role: 'manager' });
    const staff = await t.signIn({ role: 'user' });
    await t.http.get('/api/v1/settings').set(auth(manager.token)).expect(200);
    const refused = await t.http.put('/api/v1/settings/registration').set(auth(manager.token)).send({ policy: 'invite' }).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    await t.http.get('/api/v1/settings').set(auth(staff.token)).expect(403);
    await t.http.get('/api/v1/settings').expect(401);
    expect(await t.prisma.setting.findUnique({ where: { key: 'registration' } })).toBeNull();
  });
});
