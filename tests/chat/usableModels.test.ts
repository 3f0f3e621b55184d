import request from 'supertest';
import { createApp } from '../../server/src/app.js';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import { createLogger } from '../../server/src/lib/logger.js';
import { createServices, type Services } from '../../server/src/services.js';
import { createTestApp, testConfig, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// The usable chat models behind every assistant's search-mode flag are kept
// per process (chat/usableModels.ts). Here they are kept for a minute, so only
// the change notification can explain a prompt update: a model added straight
// in the database, and one disabled and its provider switched off through
// another Atrium instance on the same database (on native Postgres, over its
// own connections, as another process would).

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe(`usable chat models cache (${engineName})`, () => {
  let t: TestApp;
  let other: { services: Services; http: ReturnType<typeof request>; close(): Promise<void> };
  let stopListening: () => Promise<void>;
  let admin: string;
  let assistantId: string;

  beforeAll(async () => {
    t = await createTestApp({ MODEL_CACHE_MS: '60000' });
    stopListening = await t.services.usableModels.listen(t.database.db);
    const db: Database = t.database.url ? await openDatabase({ engine: 'postgres', url: t.database.url }) : t.database.db;
    const services = createServices(testConfig({ MODEL_CACHE_MS: '60000' }), db, createLogger('silent'));
    other = { services, http: request(createApp(services)), close: async () => (db === t.database.db ? undefined : db.close()) };
    admin = (await t.signIn({ role: 'admin' })).token;
    assistantId = (await t.http.post('/api/v1/assistants').set(bearer(admin)).send({ name: 'Cached', instructions: 'Hi.' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await stopListening();
    await other.close();
    await t.close();
  });

  const searchMode = async () => (await t.http.get(`/api/v1/assistants/${assistantId}`).set(bearer(admin)).expect(200)).body.searchMode as boolean;
  /** The flag once it reads `expected`, polled for at most 2 s (the cache would keep the old one for 60 s). */
  async function becomes(expected: boolean): Promise<boolean> {
    for (const until = Date.now() + 2000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
      if ((await searchMode()) === expected) return expected;
    }
    return searchMode();
  }

  it('keeps the list between reads: an instance that does not listen misses a change for as long as it keeps it', async () => {
    const deafServices = createServices(testConfig({ MODEL_CACHE_MS: '60000' }), t.database.db, createLogger('silent'));
    const deaf = request(createApp(deafServices));
    const deafSearchMode = async () => (await deaf.get(`/api/v1/assistants/${assistantId}`).set(bearer(admin)).expect(200)).body.searchMode as boolean;
    expect(await deafSearchMode()).toBe(true);
    expect(await searchMode()).toBe(true);
    const provider = await t.prisma.provider.create({ data: { name: 'Unheard', kind: 'openai_compatible', baseUrl: 'http://127.0.0.1:9/v1' } });
    await t.prisma.model.create({ data: { providerId: provider.id, name: 'unheard-model', kind: 'chat' } });
    expect(await becomes(false)).toBe(false);
    expect(await deafSearchMode()).toBe(true);
    await t.prisma.provider.delete({ where: { id: provider.id } });
    expect(await becomes(true)).toBe(true);
  });

  it('sees a model added straight in the database, and one disabled through another instance, at once', async () => {
    expect(await searchMode()).toBe(true);
    const provider = await other.services.prisma.provider.create({ data: { name: 'Elsewhere', kind: 'openai_compatible', baseUrl: 'http://127.0.0.1:9/v1' } });
    const model = await other.services.prisma.model.create({ data: { providerId: provider.id, name: 'elsewhere-model', kind: 'chat' } });
    expect(await becomes(false)).toBe(false);

    await other.http.patch(`/api/v1/models/${model.id}`).set(bearer(admin)).send({ enabled: false }).expect(200);
    expect(await becomes(true)).toBe(true);

    await other.http.patch(`/api/v1/models/${model.id}`).set(bearer(admin)).send({ enabled: true }).expect(200);
    expect(await becomes(false)).toBe(false);
    await other.http.patch(`/api/v1/providers/${provider.id}`).set(bearer(admin)).send({ enabled: false }).expect(200);
    expect(await becomes(true)).toBe(true);
  });
});
