import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../server/src/server.js';
import { freePort, ManagedProcess, waitFor } from '../deploy/support/processes.js';
import { eventually, isTitleRequest, TEST_API_KEY, TEST_MODEL } from '../support/chatServer.js';
import type { ChatCall } from '../support/chatScript.js';
import { createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { OpenAiTestServer } from '../support/openaiTestServer.js';
import { testConfig } from '../support/testApp.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';

// Redis away and back (issue 17): a Redis of this test's own, killed and
// restarted under a scaled-out API. REST keeps answering, /api/ready says
// `degraded` with `redis: down`, and everything recovers without a restart.

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const suite = engineName === 'postgres' && hasRedisServer ? describe : describe.skip;

suite('Redis down and back (native Postgres and redis-server; skipped otherwise)', () => {
  let redisPort: number;
  let redis: ManagedProcess | undefined;
  let openai: OpenAiTestServer;
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let uploadsDir: string;
  let server: RunningServer;
  let token: string;
  let env: Record<string, string>;
  let assistantId: string;

  const startRedis = async () => {
    redis = new ManagedProcess('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {});
    await waitFor('redis to listen', async () => (/Ready to accept connections/.test(redis!.describe()) ? true : undefined), 10_000, () => redis!.describe());
  };
  const ready = async () => {
    const res = await fetch(`${server.url}/api/ready`);
    return { status: res.status, body: (await res.json()) as { status: string; redis?: string } };
  };
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${server.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
  const ask = async () => {
    const conversationId = (await api('POST', '/api/v1/conversations', { assistantId })).body.id as string;
    openai.chat.script({ text: 'Still answering.' });
    return api('POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'are you there?' });
  };

  beforeAll(async () => {
    redisPort = await freePort();
    await startRedis();
    openai = await new OpenAiTestServer().start();
    openai.chat.intercept = (call: ChatCall) => (isTitleRequest(call) ? { text: 'A generated title' } : undefined);
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-redis-outage-'));
    empty = await createEmptyDatabase();
    env = {
        PORT: '0',
        HOST: '127.0.0.1',
        UPLOADS_DIR: uploadsDir,
        LOGIN_RATE_PER_MINUTE: '1000',
        MASTER_KEY: randomBytes(32).toString('base64'),
        OPENAI_BASE_URL: openai.baseUrl,
        OPENAI_API_KEY: TEST_API_KEY,
        DEFAULT_MODEL: TEST_MODEL,
        DATABASE_URL: empty.url!,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        REDIS_PREFIX: `atrium-outage-${randomBytes(3).toString('hex')}`,
        WORKER_IN_API: 'false',
    };
    server = await startServer(testConfig(env));
    const user = await createUserRecord(server.services.prisma, { role: 'admin' });
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: DEFAULT_PASSWORD }) });
    token = ((await res.json()) as { accessToken: string }).accessToken;
    assistantId = (await api('POST', '/api/v1/assistants', { name: 'Outage' })).body.id;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await redis?.stop();
    await openai?.close();
    await empty?.drop();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  }, 60_000);

  it('is ready with Redis up', async () => {
    expect(await ready()).toEqual({ status: 200, body: expect.objectContaining({ status: 'ready', redis: 'up' }) });
  });

  it('with Redis killed: ready says degraded (200, redis down), and REST, logins and answers keep working', async () => {
    redis!.child.kill('SIGKILL');
    await eventually(async () => (await ready()).body.redis, (r) => r === 'down');
    const state = await ready();
    expect(state).toEqual({ status: 200, body: expect.objectContaining({ status: 'degraded', redis: 'down', checks: expect.objectContaining({ redis: { ok: false, detail: expect.any(String) }, database: { ok: true } }) }) });

    expect((await api('GET', '/api/v1/conversations')).status).toBe(200);
    const wrong = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com', password: 'x' }) });
    expect(wrong.status).toBe(401);
    const answer = await ask();
    expect(answer).toMatchObject({ status: 201, body: { message: { status: 'complete', content: 'Still answering.' } } });
  }, 60_000);

  it('starts with Redis away (degraded), and becomes ready once Redis appears', async () => {
    const port = await freePort();
    const late = await startServer(testConfig({ ...env, REDIS_URL: `redis://127.0.0.1:${port}` }));
    let lateRedis: ManagedProcess | undefined;
    try {
      const before = await fetch(`${late.url}/api/ready`);
      expect({ status: before.status, body: await before.json() }).toMatchObject({ status: 200, body: { status: 'degraded', redis: 'down' } });
      lateRedis = new ManagedProcess('late redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {});
      await eventually(async () => ((await (await fetch(`${late.url}/api/ready`)).json()) as { status: string }).status, (s) => s === 'ready', 20_000);
    } finally {
      await late.close();
      await lateRedis?.stop();
    }
  }, 60_000);

  it('recovers by itself when Redis returns: ready again, answers shared again', async () => {
    await startRedis();
    await eventually(async () => (await ready()).body.status, (s) => s === 'ready', 20_000);
    const answer = await ask();
    expect(answer).toMatchObject({ status: 201, body: { message: { status: 'complete' } } });
    // Shared again: the answer's events went to its stream in the restarted Redis.
    const stream = await server.services.redis!.commands.xlen(server.services.redis!.key('answer', answer.body.message.id));
    expect(stream).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
