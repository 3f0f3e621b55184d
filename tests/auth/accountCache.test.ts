import { createGroupRecord } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Users' authentication state is reused between requests (auth/accountCache.ts).
// Whatever changes it through Atrium applies on the very next request, however
// long the cache would otherwise keep it (10 s here, its most, so only the
// invalidation can explain a prompt refusal); a change behind Atrium's back
// (straight in the database) applies once the time runs out.

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe(`account cache (${engineName})`, () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp({ ACTOR_CACHE_MS: '10000', LOGIN_RATE_PER_MINUTE: '1000' });
    admin = (await t.signIn({ role: 'admin' })).token;
  });
  afterAll(() => t.close());

  it('refuses a deactivated user on the next request', async () => {
    const { user, token } = await t.signIn();
    await t.http.get('/api/v1/me').set(bearer(token)).expect(200);
    await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ active: false }).expect(200);
    const refused = await t.http.get('/api/v1/me').set(bearer(token)).expect(401);
    expect(refused.body.error.code).toBe('unauthenticated');
  });

  it('applies a role change on the next request', async () => {
    const { user, token } = await t.signIn();
    await t.http.get('/api/v1/users').set(bearer(token)).expect(403);
    await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ role: 'admin' }).expect(200);
    await t.http.get('/api/v1/users').set(bearer(token)).expect(200);
    await t.http.patch(`/api/v1/users/${user.id}`).set(bearer(admin)).send({ role: 'user' }).expect(200);
    await t.http.get('/api/v1/users').set(bearer(token)).expect(403);
  });

  it('applies joining and leaving a group on the next request', async () => {
    const { user, token } = await t.signIn();
    const group = await t.http.post('/api/v1/groups').set(bearer(admin)).send({ name: 'Cache group' }).expect(201);
    const assistant = await t.http.post('/api/v1/assistants').set(bearer(admin)).send({ name: 'Cached', instructions: 'Hi.', groupIds: [group.body.id] }).expect(201);
    const visible = async () => (await t.http.get('/api/v1/assistants').set(bearer(token)).expect(200)).body.data.map((a: { id: string }) => a.id);
    expect(await visible()).not.toContain(assistant.body.id);
    await t.http.put(`/api/v1/groups/${group.body.id}/members/${user.id}`).set(bearer(admin)).send({ role: 'member' }).expect(204);
    expect(await visible()).toContain(assistant.body.id);
    await t.http.delete(`/api/v1/groups/${group.body.id}/members/${user.id}`).set(bearer(admin)).expect(204);
    expect(await visible()).not.toContain(assistant.body.id);
  });

  it('voids tokens issued before a password reset on the next request', async () => {
    const { user, token } = await t.signIn();
    await t.http.get('/api/v1/me').set(bearer(token)).expect(200);
    await t.http.post(`/api/v1/users/${user.id}/reset-password`).set(bearer(admin)).send({}).expect(200);
    await t.http.get('/api/v1/me').set(bearer(token)).expect(401);
  });

  it('takes a change made behind its back once its time runs out', async () => {
    const short = await createTestApp({ ACTOR_CACHE_MS: '300' });
    try {
      const { user, token } = await short.signIn();
      await short.http.get('/api/v1/me').set(bearer(token)).expect(200);
      await short.prisma.user.update({ where: { id: user.id }, data: { active: false } });
      await createGroupRecord(short.prisma, undefined, [{ userId: user.id }]);
      await new Promise((r) => setTimeout(r, 400));
      await short.http.get('/api/v1/me').set(bearer(token)).expect(401);
    } finally {
      await short.close();
    }
  });
});
