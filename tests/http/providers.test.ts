import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../server/src/app.js';
import type { PrismaClient } from '../../server/src/db/database.js';
import { resolveChatModel } from '../../server/src/governance/modelAccess.js';
import { createLogger } from '../../server/src/lib/logger.js';
import { createServices, type Services } from '../../server/src/services.js';
import { createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { OpenAiTestServer, openAiError, sendJson } from '../support/openaiTestServer.js';
import { testConfig } from '../support/testApp.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// Providers, keys and models through the real app, with the production logger
// writing into memory: every response body, log line and audit row is then
// searched for the plaintext keys, which must appear in none of them.

const firstKey = `sk-first-${randomBytes(16).toString('hex')}`;
const secondKey = `sk-second-${randomBytes(16).toString('hex')}`;
const rotatedKey = `sk-rotated-${randomBytes(16).toString('hex')}`;
const refusedKey = `sk-has space-${randomBytes(8).toString('hex')}`;
const plaintexts = [firstKey, secondKey, rotatedKey, refusedKey];

describe(`providers, API keys and models (${engineName})`, () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let services: Services;
  let http: ReturnType<typeof request>;
  let upstream: OpenAiTestServer;
  const logLines: string[] = [];
  const bodies: string[] = [];
  let admin: string;
  let staff: string;
  let manager: string;

  async function signIn(role: 'admin' | 'manager' | 'user') {
    const user = await createUserRecord(prisma, { role });
    const res = await http.post('/api/v1/auth/login').send({ email: user.email, password: DEFAULT_PASSWORD }).expect(200);
    return res.body.accessToken as string;
  }

  /** Calls the API and keeps the raw body for the leak checks. */
  async function api(method: 'get' | 'post' | 'patch' | 'delete', path: string, token: string, body?: object) {
    const req = http[method](`/api/v1${path}`).set('Authorization', `Bearer ${token}`);
    const res = body ? await req.send(body) : await req;
    bodies.push(res.text ?? '');
    return res;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = database.db.prisma;
    // The production logger (with its redaction rules), its output kept in memory.
    const logger = createLogger('trace');
    (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (line: string) => logLines.push(line) };
    services = createServices(testConfig({ MASTER_KEY: randomBytes(32).toString('base64'), LOGIN_RATE_PER_MINUTE: '1000' }), database.db, logger);
    http = request(createApp(services));
    upstream = await new OpenAiTestServer().start();
    // The listing answers only the current secrets; a wrong key gets an error that echoes it, as some servers do.
    upstream.route('GET', '/v1/models', (req, res) => {
      const auth = String(req.headers.authorization ?? '');
      if (![firstKey, secondKey, rotatedKey].some((k) => auth === `Bearer ${k}`) || auth === `Bearer ${revoked}`) {
        sendJson(res, 401, openAiError(`Incorrect API key provided: ${auth.replace('Bearer ', '')}`, 'invalid_api_key'));
        return;
      }
      sendJson(res, 200, { object: 'list', data: ['gpt-test-mini', 'gpt-test-large'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })) });
    });
    admin = await signIn('admin');
    staff = await signIn('user');
    manager = await signIn('manager');
  });
  afterAll(async () => {
    await upstream.close();
    await database.drop();
  });
  let revoked = '';

  let providerId: string;
  let keyId: string;

  it('creates a provider, validates its base URL, and refuses duplicate names', async () => {
    for (const baseUrl of ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://example.com', 'not a url']) {
      const res = await api('post', '/providers', admin, { name: 'Bad', kind: 'openai_compatible', baseUrl });
      expect({ baseUrl, status: res.status, path: res.body.error?.details?.issues?.[0]?.path }).toEqual({ baseUrl, status: 400, path: 'baseUrl' });
    }
    expect((await api('post', '/providers', admin, { name: 'X', kind: 'azure' })).status).toBe(400);

    const created = await api('post', '/providers', admin, { name: 'Local', kind: 'openai_compatible', baseUrl: `${upstream.baseUrl}/` });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Local', kind: 'openai_compatible', baseUrl: upstream.baseUrl, enabled: true, keys: [], modelCount: 0 });
    providerId = created.body.id;
    const dup = await api('post', '/providers', admin, { name: 'local', kind: 'anthropic' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details).toEqual({ field: 'name' });
    const entry = await prisma.auditLog.findFirstOrThrow({ where: { action: 'provider.create', resourceId: providerId } });
    expect(entry.newValues).toMatchObject({ name: 'Local', baseUrl: upstream.baseUrl });
  });

  it('stores a key encrypted and shows only its hint', async () => {
    const bad = await api('post', `/providers/${providerId}/keys`, admin, { apiKey: refusedKey });
    expect(bad.status).toBe(400);
    const res = await api('post', `/providers/${providerId}/keys`, admin, { label: 'primary', apiKey: `  ${firstKey}\n` });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), label: 'primary', hint: `sk-…${firstKey.slice(-4)}`, enabled: true, lastUsedAt: null, rotatedAt: null, createdAt: expect.any(String) });
    keyId = res.body.id;

    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(Buffer.from(row.ciphertext).toString('latin1')).not.toContain(firstKey);
    expect(row.masterKeyId).toBe(services.keyVault.currentKeyId);
    expect(services.keyVault.open(row)).toBe(firstKey);

    const one = await api('get', `/providers/${providerId}`, admin);
    expect(one.body.keys).toEqual([res.body]);
    expect(Object.keys(one.body.keys[0]).sort()).toEqual(['createdAt', 'enabled', 'hint', 'id', 'label', 'lastUsedAt', 'rotatedAt']);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: 'apiKey.create', resourceId: keyId } });
    expect(audit.newValues).toEqual({ providerId, label: 'primary', hint: res.body.hint });
  });

  it('tests the connection with the decrypted key, records the use, and lists the remote models', async () => {
    const ok = await api('post', `/providers/${providerId}/test`, admin, {});
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, latencyMs: expect.any(Number), models: ['gpt-test-large', 'gpt-test-mini'] });
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${firstKey}`);
    const key = await prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(key.lastUsedAt).not.toBeNull();
    const use = await prisma.auditLog.findFirstOrThrow({ where: { action: 'apiKey.use', resourceId: keyId } });
    expect(use.newValues).toMatchObject({ purpose: 'test', ok: true, hint: key.hint });

    const remote = await api('get', `/providers/${providerId}/remote-models`, admin);
    expect(remote.status).toBe(200);
    expect(remote.body).toEqual({ data: ['gpt-test-large', 'gpt-test-mini'] });
  });

  it('reports a refused key without echoing it back', async () => {
    revoked = firstKey;
    const failed = await api('post', `/providers/${providerId}/test`, admin, { keyId });
    expect(failed.status).toBe(200);
    expect(failed.body.ok).toBe(false);
    expect(failed.body.error).toMatch(/Incorrect API key provided/);
    expect(failed.body.error).toContain(`sk-…${firstKey.slice(-4)}`);
    const remote = await api('get', `/providers/${providerId}/remote-models`, admin);
    expect(remote.status).toBe(502);
    expect(remote.body.error).toMatchObject({ code: 'upstream_failed', details: { failure: 'unauthorized' } });
    revoked = '';
  });

  it('uses the newest enabled key, disables, relabels, rotates in place and deletes keys', async () => {
    const second = await api('post', `/providers/${providerId}/keys`, admin, { apiKey: secondKey });
    expect(second.body.label).toBe('default');
    await api('post', `/providers/${providerId}/test`, admin, {});
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${secondKey}`);

    const disabled = await api('patch', `/providers/${providerId}/keys/${second.body.id}`, admin, { enabled: false, label: 'backup' });
    expect(disabled.body).toMatchObject({ enabled: false, label: 'backup' });
    await api('post', `/providers/${providerId}/test`, admin, {});
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${firstKey}`);

    const before = await prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    const rotated = await api('post', `/providers/${providerId}/keys/${keyId}/rotate`, admin, { apiKey: rotatedKey });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: keyId, label: 'primary', hint: `sk-…${rotatedKey.slice(-4)}`, rotatedAt: expect.any(String) });
    const after = await prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(Buffer.from(after.wrappedDataKey).equals(Buffer.from(before.wrappedDataKey))).toBe(false);
    await api('post', `/providers/${providerId}/test`, admin, {});
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${rotatedKey}`);
    const rotation = await prisma.auditLog.findFirstOrThrow({ where: { action: 'apiKey.rotate', resourceId: keyId } });
    expect([rotation.oldValues, rotation.newValues]).toEqual([{ hint: `sk-…${firstKey.slice(-4)}` }, { hint: `sk-…${rotatedKey.slice(-4)}` }]);

    // A key of another provider is not found through this one.
    const other = await api('post', '/providers', admin, { name: 'Other', kind: 'anthropic' });
    expect((await api('patch', `/providers/${other.body.id}/keys/${keyId}`, admin, { enabled: false })).status).toBe(404);
    expect((await api('delete', `/providers/${other.body.id}/keys/${keyId}`, admin)).status).toBe(404);

    expect((await api('delete', `/providers/${providerId}/keys/${second.body.id}`, admin)).status).toBe(204);
    expect((await api('get', `/providers/${providerId}`, admin)).body.keys.map((k: { id: string }) => k.id)).toEqual([keyId]);
    expect(await prisma.auditLog.count({ where: { action: 'apiKey.delete', resourceId: second.body.id } })).toBe(1);
  });

  let chatModelId: string;

  it('manages models with decimal prices; staff see enabled chat models only, without prices', async () => {
    const created = await api('post', '/models', admin, { providerId, name: 'gpt-test-mini', displayName: 'Mini', contextWindow: 128000, inputPricePerMTok: 0.15, outputPricePerMTok: 0.6000004 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ providerName: 'Local', kind: 'chat', contextWindow: 128000, inputPricePerMTok: 0.15, outputPricePerMTok: 0.6, enabled: true });
    chatModelId = created.body.id;
    expect((await api('post', '/models', admin, { providerId, name: 'gpt-test-mini' })).status).toBe(409);
    expect((await api('post', '/models', admin, { providerId, name: 'neg', inputPricePerMTok: -1 })).status).toBe(400);
    const embedding = await api('post', '/models', admin, { providerId, name: 'embed-test', kind: 'embedding' });
    const hidden = await api('post', '/models', admin, { providerId, name: 'gpt-test-large', enabled: false });

    const patched = await api('patch', `/models/${chatModelId}`, admin, { inputPricePerMTok: 2.5, contextWindow: 64000 });
    expect(patched.body).toMatchObject({ inputPricePerMTok: 2.5, contextWindow: 64000 });
    const change = await prisma.auditLog.findFirstOrThrow({ where: { action: 'model.update', resourceId: chatModelId } });
    expect([change.oldValues, change.newValues]).toEqual([{ contextWindow: 128000, inputPricePerMTok: 0.15 }, { contextWindow: 64000, inputPricePerMTok: 2.5 }]);

    const forStaff = await api('get', '/models', staff);
    expect(forStaff.body.data.map((m: { id: string }) => m.id)).toEqual([chatModelId]);
    expect(forStaff.body.data[0].inputPricePerMTok).toBeUndefined();
    expect((await api('get', '/models?all=true', staff)).status).toBe(403);
    expect((await api('get', `/models/${chatModelId}`, manager)).status).toBe(403);
    const all = await api('get', '/models?all=true', admin);
    expect(all.body.data.map((m: { id: string }) => m.id).sort()).toEqual([chatModelId, embedding.body.id, hidden.body.id].sort());
    expect(all.body.data.find((m: { id: string }) => m.id === chatModelId).outputPricePerMTok).toBe(0.6);

    // A disabled provider takes its models out of the list.
    await api('patch', `/providers/${providerId}`, admin, { enabled: false });
    expect((await api('get', '/models', staff)).body.data).toEqual([]);
    await api('patch', `/providers/${providerId}`, admin, { enabled: true });
    expect((await api('get', `/providers/${providerId}`, admin)).body.modelCount).toBe(3);
  });

  it('resolves a chat model to its endpoint and decrypted key, recording a use at most once a minute', async () => {
    await prisma.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: null } });
    const uses = () => prisma.auditLog.count({ where: { action: 'apiKey.use', resourceId: keyId, actorId: null } });
    const before = await uses();
    const resolved = await resolveChatModel(services, chatModelId);
    expect(resolved).toMatchObject({ model: { id: chatModelId, name: 'gpt-test-mini' }, provider: { id: providerId }, apiKeyId: keyId });
    expect(resolved.endpoint).toEqual({ kind: 'openai_compatible', baseUrl: upstream.baseUrl, apiKey: rotatedKey });
    await Promise.all([resolveChatModel(services, chatModelId), resolveChatModel(services, chatModelId)]);
    expect(await uses()).toBe(before + 1);
    await prisma.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: new Date(Date.now() - 61_000) } });
    await resolveChatModel(services, chatModelId);
    expect(await uses()).toBe(before + 2);

    const unavailable = async (id: string) => (await resolveChatModel(services, id).catch((e: { code: string; message: string }) => e)) as { code: string; message: string };
    const embedding = await prisma.model.findFirstOrThrow({ where: { kind: 'embedding' } });
    const disabled = await prisma.model.findFirstOrThrow({ where: { enabled: false } });
    for (const id of [embedding.id, disabled.id, '00000000-0000-4000-8000-000000000000']) {
      expect(await unavailable(id)).toMatchObject({ code: 'conflict', message: "The assistant's model is not available" });
    }
    await prisma.apiKey.update({ where: { id: keyId }, data: { enabled: false } });
    expect(await unavailable(chatModelId)).toMatchObject({ code: 'conflict', message: expect.stringMatching(/no enabled API key/) });
    await prisma.apiKey.update({ where: { id: keyId }, data: { enabled: true } });
  });

  it('refuses to delete a model or provider that assistants use, naming how many', async () => {
    await prisma.assistant.create({ data: { name: 'Uses mini', modelId: chatModelId } });
    const model = await api('delete', `/models/${chatModelId}`, admin);
    expect(model.status).toBe(409);
    expect(model.body.error).toMatchObject({ code: 'conflict', details: { assistants: 1 } });
    expect((await api('delete', `/providers/${providerId}`, admin)).status).toBe(409);
    const unused = await prisma.model.findFirstOrThrow({ where: { kind: 'embedding' } });
    expect((await api('delete', `/models/${unused.id}`, admin)).status).toBe(204);
    expect((await api('get', `/models/${unused.id}`, admin)).status).toBe(404);
  });

  it('answers a clear error when no MASTER_KEY is configured', async () => {
    const bare = createServices(testConfig({ LOGIN_RATE_PER_MINUTE: '1000' }), database.db, createLogger('silent'));
    const res = await request(createApp(bare)).post(`/api/v1/providers/${providerId}/keys`).set('Authorization', `Bearer ${admin}`).send({ apiKey: secondKey });
    bodies.push(res.text);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'not_configured', message: expect.stringMatching(/MASTER_KEY/) });
    const resolve = await resolveChatModel(bare, chatModelId).catch((e: { code: string }) => e);
    expect(resolve).toMatchObject({ code: 'not_configured' });
  });

  it('never lets a plaintext key or key material out: responses, logs and audit rows', async () => {
    const rows = await prisma.apiKey.findMany();
    const material = rows.flatMap((r) => [r.ciphertext, r.wrappedDataKey, r.authTag].map((b) => Buffer.from(b).toString('base64')));
    const everything = bodies.join('\n');
    expect(bodies.length).toBeGreaterThan(30);
    for (const secret of [...plaintexts, ...material]) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/ciphertext|wrappedDataKey|authTag|masterKeyId/);

    const logs = logLines.join('');
    expect(logLines.length).toBeGreaterThan(30);
    expect(logs).toContain(`/api/v1/providers/${providerId}/keys`);
    for (const secret of plaintexts) expect(logs).not.toContain(secret);

    const audit = await prisma.auditLog.findMany();
    const auditText = JSON.stringify(audit.map((a) => ({ ...a, id: String(a.id) })));
    expect(audit.length).toBeGreaterThan(10);
    for (const secret of [...plaintexts, ...material]) expect(auditText).not.toContain(secret);
  });
});
