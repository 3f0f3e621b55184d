import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// A search ("q") matches what was typed, literally: LIKE's % and _ are not
// wildcards, and a backslash is a backslash. Before, "50%" matched every name
// holding "50" and "%" matched everything.

describe(`searches match literally (${engineName})`, () => {
  let t: TestApp;
  let auth: { Authorization: string };
  const names = ['Plan 50% off', 'Plan 500 off', 'team_a', 'teamXa', 'C:\\share', 'C:share'];

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000' });
    const admin = await t.signIn({ role: 'admin', email: 'search-admin@example.com' });
    auth = { Authorization: `Bearer ${admin.token}` };
    for (const [i, name] of names.entries()) {
      await t.http.post('/api/v1/groups').set(auth).send({ name }).expect(201);
      await t.http.post('/api/v1/assistants').set(auth).send({ name, instructions: 'x' }).expect(201);
      await t.http.post('/api/v1/knowledge-bases').set(auth).send({ name }).expect(201);
      await t.http.post('/api/v1/users').set(auth).send({ email: `search-${i}@example.com`, name, role: 'user' }).expect(201);
    }
  });
  afterAll(() => t.close());

  const lists = ['/api/v1/groups', '/api/v1/assistants', '/api/v1/knowledge-bases', '/api/v1/users'];
  const cases: [string, string[]][] = [
    ['50%', ['Plan 50% off']],
    ['%', ['Plan 50% off']],
    ['team_a', ['team_a']],
    ['_', ['team_a']],
    ['C:\\', ['C:\\share']],
    ['plan 50', ['Plan 50% off', 'Plan 500 off']],
  ];

  it.each(lists)('%s', async (path) => {
    for (const [q, expected] of cases) {
      const res = await t.http.get(path).query({ q, pageSize: 100 }).set(auth).expect(200);
      const found = (res.body.data as { name: string }[]).map((r) => r.name).filter((n) => names.includes(n));
      expect({ q, found: found.sort() }).toEqual({ q, found: [...expected].sort() });
    }
  });

  it('/api/v1/audit', async () => {
    // Every creation above is in the log; no action, email or id holds a % or an _ after "team".
    expect((await t.http.get('/api/v1/audit').query({ q: 'create' }).set(auth).expect(200)).body.total).toBeGreaterThanOrEqual(names.length * 4);
    for (const q of ['%', 'team_', 'user_create']) expect({ q, total: (await t.http.get('/api/v1/audit').query({ q }).set(auth).expect(200)).body.total }).toEqual({ q, total: 0 });
  });
});
