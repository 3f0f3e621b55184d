import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import { closeInterruptedAnswers } from '../../server/src/chat/interruptedAnswers.js';
import { startServer, type RunningServer } from '../../server/src/server.js';
import { NginxInstance, nginxBinary } from '../deploy/support/nginxInstance.js';
import { freePort, ManagedProcess, waitFor } from '../deploy/support/processes.js';
import { emitWithAck, eventually, isTitleRequest, readEvents, record, TEST_API_KEY, TEST_MODEL } from '../support/chatServer.js';
import type { ChatCall } from '../support/chatScript.js';
import { createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { OpenAiTestServer } from '../support/openaiTestServer.js';
import { TEST_SECRET, testConfig } from '../support/testApp.js';
import { startToolTestServer, TOOL_SERVER_KEY, type ToolTestServer } from '../tools/toolTestServer.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';

// Scale-out (issue 17): two API processes on one database and one Redis.
// A is a real child process (`tsx server/src/main.ts api`) so it can be
// killed with SIGKILL; B runs in this process. Each has its own services.

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = path.resolve(import.meta.dirname, '../..');

/** Whether Redis answers, asked synchronously so the suite can be skipped like other native-only tests. */
function redisReachable(url: string): boolean {
  const { hostname, port } = new URL(url);
  const probe = `const s=require('net').connect(${Number(port) || 6379},'${hostname}');s.setTimeout(1000,()=>process.exit(1));s.on('error',()=>process.exit(1));s.on('connect',()=>s.write('PING\\r\\n'));s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

const runs = engineName === 'postgres' && redisReachable(redisUrl);
const suite = runs ? describe : describe.skip;
const LEASE_SECONDS = 3;
const LOGIN_RATE = 3;

suite('two API processes over Redis (native Postgres and Redis; skipped otherwise)', () => {
  const prefix = `atrium-test-${randomBytes(4).toString('hex')}`;
  let openai: OpenAiTestServer;
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let uploadsDir: string;
  let b: RunningServer;
  let a: ManagedProcess;
  let aUrl: string;
  let owner: { id: string; token: string };
  let assistantId: string;
  const sockets: Socket[] = [];
  let nginx: NginxInstance | undefined;
  let mcp: ToolTestServer | undefined;

  beforeAll(async () => {
    openai = await new OpenAiTestServer().start();
    openai.chat.intercept = (call: ChatCall) => (isTitleRequest(call) ? { text: 'A generated title' } : undefined);
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-scaleout-'));
    empty = await createEmptyDatabase();
    const env = {
      HOST: '127.0.0.1',
      UPLOADS_DIR: uploadsDir,
      LOGIN_RATE_PER_MINUTE: String(LOGIN_RATE),
      MASTER_KEY: randomBytes(32).toString('base64'),
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_API_KEY: TEST_API_KEY,
      DEFAULT_MODEL: TEST_MODEL,
      CHAT_TIMEOUT_SECONDS: '10',
      DATABASE_URL: empty.url!,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      ANSWER_LEASE_SECONDS: String(LEASE_SECONDS),
      WORKER_IN_API: 'false',
    };
    // B first: it applies the migrations A then finds applied.
    b = await startServer(testConfig({ ...env, PORT: '0' }), {});
    const port = await freePort();
    aUrl = `http://127.0.0.1:${port}`;
    // Node itself runs the server (tsx as a loader, not its wrapper process), so SIGKILL reaches the process writing answers.
    a = new ManagedProcess('api A', process.execPath, ['--import', 'tsx', path.join(root, 'server/src/main.ts'), 'api'], {
      cwd: root,
      env: { PATH: process.env.PATH, NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', SEMANTIC_RERANK: 'false', ...env, PORT: String(port) },
    });
    await waitFor('process A to be ready', async () => ((await fetch(`${aUrl}/api/ready`).catch(() => null))?.ok ? true : undefined), 90_000, () => a.describe());

    // The project's nginx templates in front of both processes (round-robin, no sticky sessions), when nginx is installed.
    if (fs.existsSync(nginxBinary)) {
      const staticRoot = path.join(uploadsDir, 'static');
      for (const app of ['web', 'admin']) fs.mkdirSync(path.join(staticRoot, app), { recursive: true });
      nginx = new NginxInstance(path.join(uploadsDir, 'nginx'), {
        // The template's upstream block holds `server ${ATRIUM_UPSTREAM};`: two servers, as Compose's DNS gives nginx for two replicas.
        upstream: `${aUrl.slice('http://'.length)}; server ${b.url.slice('http://'.length)}`,
        httpPort: await freePort(),
        httpsPort: await freePort(),
        staticRoot,
        certsDir: path.join(uploadsDir, 'certs'),
        maxUploadMb: 1,
      });
      nginx.prepare();
      await nginx.start();
    }

    const user = await createUserRecord(b.services.prisma, { role: 'admin' });
    owner = { id: user.id, token: await login(b.url, user.email) };
    assistantId = (await json(b.url, owner.token, 'POST', '/api/v1/assistants', { name: 'Scale-out' })).body.id;
  }, 150_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await nginx?.stop();
    await mcp?.close();
    await a?.stop();
    await b?.close();
    await openai?.close();
    // Every key this run wrote lives under its prefix.
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await empty?.drop();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  }, 60_000);

  const conversation = async () => (await json(b.url, owner.token, 'POST', '/api/v1/conversations', { assistantId })).body.id as string;
  const socketTo = (url: string) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(url, { auth: { token: owner.token }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ');

  it('both processes report Redis up in /api/ready', async () => {
    for (const url of [aUrl, b.url]) {
      const res = await fetch(`${url}/api/ready`);
      expect({ url, status: res.status, body: await res.json() }).toMatchObject({ url, status: 200, body: { status: 'ready', redis: 'up', checks: { redis: { ok: true } } } });
    }
  });

  it('an answer written by A reaches the user’s socket on B, and resumes over SSE on B from its seq exactly once, in order', async () => {
    const text = words(40, 'r');
    openai.chat.script({ text, chunkDelayMs: 40 });
    const conversationId = await conversation();
    const onA = await socketTo(aUrl);
    const onB = await socketTo(b.url);
    const seenOnB = record(onB, ['chat:start', 'chat:chunk', 'chat:done']);
    const ack = await emitWithAck(onA, 'chat:send', { conversationId, content: 'count for me' });
    expect(ack).toMatchObject({ ok: true, messageId: expect.any(String) });
    await eventually(() => seenOnB.filter((e) => e.name === 'chat:chunk').length >= 5);

    // B knows the answer is being written and by whom; a second question there is refused.
    const busy = await json(b.url, owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { content: 'again' });
    expect(busy.status).toBe(409);
    const resume = await emitWithAck(onB, 'chat:resume', { conversationId });
    expect(resume).toMatchObject({ ok: true, streaming: { messageId: ack.messageId, seq: expect.any(Number) } });
    expect(resume.streaming.seq).toBeGreaterThanOrEqual(5);
    expect((await json(b.url, owner.token, 'GET', `/api/v1/conversations/${conversationId}`)).body.streaming).toEqual({ messageId: ack.messageId });

    const res = await fetch(`${b.url}/api/v1/conversations/${conversationId}/messages/${ack.messageId}/stream`, { headers: { authorization: `Bearer ${owner.token}`, accept: 'text/event-stream' } });
    const events = await readEvents(res);
    expect(events[0]!.event).toBe('start');
    const startSeq = events[0]!.data.seq as number;
    expect(startSeq).toBeGreaterThanOrEqual(5);
    const chunks = events.filter((e) => e.event === 'chunk');
    // Exactly once and in order: the seqs go on from the start's without a gap or a repeat.
    expect(chunks.map((e) => e.data.seq)).toEqual(chunks.map((_, i) => startSeq + 1 + i));
    expect(events.at(-1)!.event).toBe('done');
    expect(events[0]!.data.message.content + chunks.map((e) => e.data.text).join('')).toBe(text);
    expect(events.at(-1)!.data.message).toMatchObject({ id: ack.messageId, status: 'complete', content: text });

    // The socket on B heard the whole answer A wrote, once.
    await eventually(() => seenOnB.some((e) => e.name === 'chat:done'));
    const bChunks = seenOnB.filter((e) => e.name === 'chat:chunk');
    expect(bChunks.map((e) => e.payload.seq)).toEqual(bChunks.map((_, i) => i + 1));
    expect(bChunks.map((e) => e.payload.text).join('')).toBe(text);
    expect(await emitWithAck(onB, 'chat:resume', { conversationId })).toEqual({ ok: true, streaming: null });
  }, 60_000);

  it('behind nginx (round-robin over A and B): a websocket gets the answer, and resumes land on both processes, each exactly once and in order', async () => {
    if (!nginx) return console.warn('nginx is not installed: skipped the nginx part');
    const text = words(40, 'n');
    openai.chat.script({ text, chunkDelayMs: 40 });
    const conversationId = await conversation();
    // The answer is written by A; the socket through nginx sits on whichever process nginx chose.
    const throughNginx = await socketTo(nginx.httpUrl);
    const seen = record(throughNginx, ['chat:chunk', 'chat:done']);
    const onA = await socketTo(aUrl);
    const ack = await emitWithAck(onA, 'chat:send', { conversationId, content: 'through the proxy' });
    await eventually(() => seen.filter((e) => e.name === 'chat:chunk').length >= 3);

    const mirror = b.services.sharedAnswers!.mirror.bind(b.services.sharedAnswers);
    let mirroredOnB = 0;
    b.services.sharedAnswers!.mirror = (...args) => {
      mirroredOnB++;
      return mirror(...args);
    };
    try {
      // Two resumes in a row: round-robin sends one to each process.
      const resumes = await Promise.all(
        [0, 1].map(async () => {
          const res = await fetch(`${nginx!.httpUrl}/api/v1/conversations/${conversationId}/messages/${ack.messageId}/stream`, { headers: { authorization: `Bearer ${owner.token}`, accept: 'text/event-stream' } });
          return readEvents(res);
        }),
      );
      for (const events of resumes) {
        const startSeq = events[0]!.data.seq as number;
        const chunks = events.filter((e) => e.event === 'chunk');
        expect(chunks.map((e) => e.data.seq)).toEqual(chunks.map((_, i) => startSeq + 1 + i));
        expect(events[0]!.data.message.content + chunks.map((e) => e.data.text).join('')).toBe(text);
        expect(events.at(-1)!.event).toBe('done');
      }
      expect(mirroredOnB).toBeGreaterThanOrEqual(1);
    } finally {
      b.services.sharedAnswers!.mirror = mirror;
    }
    await eventually(() => seen.some((e) => e.name === 'chat:done'));
    const chunks = seen.filter((e) => e.name === 'chat:chunk');
    expect(chunks.map((e) => e.payload.seq)).toEqual(chunks.map((_, i) => i + 1));
    expect(chunks.map((e) => e.payload.text).join('')).toBe(text);
  }, 60_000);

  it('stop sent to B stops the answer A is writing, and keeps what was written', async () => {
    openai.chat.script({ text: words(80, 's'), chunkDelayMs: 50 });
    const conversationId = await conversation();
    const onA = await socketTo(aUrl);
    const seen = record(onA, ['chat:chunk', 'chat:done']);
    await emitWithAck(onA, 'chat:send', { conversationId, content: 'long' });
    await eventually(() => seen.filter((e) => e.name === 'chat:chunk').length >= 3);
    // A process starting now (its sweep of answers left streaming) spares the answer A is writing.
    expect(await closeInterruptedAnswers(b.services.prisma, (ids) => b.services.sharedAnswers!.heldConversations(ids))).toBe(0);
    const stop = await json(b.url, owner.token, 'POST', `/api/v1/conversations/${conversationId}/stop`);
    expect(stop).toEqual({ status: 200, body: { stopped: true } });
    const done = (await eventually(() => seen.find((e) => e.name === 'chat:done')))!;
    expect(done.payload.message.status).toBe('stopped');
    expect(done.payload.message.content).toBe(seen.filter((e) => e.name === 'chat:chunk').map((e) => e.payload.text).join(''));
    expect(done.payload.message.content.length).toBeLessThan(words(80, 's').length);
    // Free again on both processes.
    expect(await json(b.url, owner.token, 'POST', `/api/v1/conversations/${conversationId}/stop`)).toEqual({ status: 200, body: { stopped: false } });
  }, 60_000);

  it('an admin deactivating a user on B disconnects their socket on A and stops the answer A writes for them', async () => {
    const member = await createUserRecord(b.services.prisma, { role: 'admin' });
    const memberToken = await login(aUrl, member.email);
    const theirAssistant = (await json(aUrl, memberToken, 'POST', '/api/v1/assistants', { name: 'Theirs' })).body.id as string;
    const conversationId = (await json(aUrl, memberToken, 'POST', '/api/v1/conversations', { assistantId: theirAssistant })).body.id as string;
    const socket = connect(aUrl, { auth: { token: memberToken }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
    const seen = record(socket, ['chat:chunk', 'chat:done']);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    openai.chat.script({ text: words(80, 'd'), chunkDelayMs: 50 });
    const ack = await emitWithAck(socket, 'chat:send', { conversationId, content: 'long' });
    await eventually(() => seen.filter((e) => e.name === 'chat:chunk').length >= 2);

    expect((await json(b.url, owner.token, 'PATCH', `/api/v1/users/${member.id}`, { active: false })).status).toBe(200);
    expect(await disconnected).toBe('io server disconnect');
    const stopped = await eventually(() => b.services.prisma.message.findUniqueOrThrow({ where: { id: ack.messageId } }), (m) => m.status !== 'streaming');
    expect(stopped.status).toBe('stopped');
  }, 60_000);

  it('an "ask first" reply sent to B reaches the answer A writes', async () => {
    mcp = await startToolTestServer();
    const group = (await json(b.url, owner.token, 'POST', '/api/v1/groups', { name: 'Orders desk' })).body.id as string;
    expect((await json(b.url, owner.token, 'PUT', `/api/v1/groups/${group}/members/${owner.id}`, { role: 'member' })).status).toBeLessThan(300);
    const server = await json(b.url, owner.token, 'POST', '/api/v1/tool-servers', { name: 'Orders', url: mcp.url, headers: { 'X-Api-Key': TOOL_SERVER_KEY }, groupIds: [group], assistantIds: [assistantId] });
    expect(server.status).toBe(201);
    expect((await json(b.url, owner.token, 'PATCH', `/api/v1/tool-servers/${server.body.id}`, { askFirstTools: ['cancel_order'] })).status).toBe(200);
    openai.chat.script({ text: '', toolCalls: [{ id: 'call_x', name: 'Orders__cancel_order', arguments: { id: 'A-1' } }] }, { text: 'Order A-1 is cancelled.' });
    const conversationId = await conversation();
    const onA = await socketTo(aUrl);
    const seen = record(onA, ['chat:approval', 'chat:done', 'chat:error']);
    // A reads the tool list through its own cache: it learns of the new server on first use.
    const sent = await emitWithAck(onA, 'chat:send', { conversationId, content: 'Cancel order A-1' });
    expect(sent).toMatchObject({ ok: true });
    const asked = (await eventually(() => seen.find((e) => e.name === 'chat:approval' || e.name === 'chat:done' || e.name === 'chat:error'), Boolean, 20_000))!;
    expect({ name: asked.name, payload: asked.name === 'chat:approval' ? 'asked' : asked.payload }).toEqual({ name: 'chat:approval', payload: 'asked' });
    const reply = await json(b.url, owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages/${sent.messageId}/tool-approvals/call_x`, { allow: true });
    expect(reply).toEqual({ status: 200, body: { callId: 'call_x', decision: 'allowed' } });
    const done = (await eventually(() => seen.find((e) => e.name === 'chat:done'), Boolean, 20_000))!;
    expect(done.payload.message).toMatchObject({ status: 'complete', content: 'Order A-1 is cancelled.' });
    expect(mcp.calls.filter((c) => c.tool === 'cancel_order')).toHaveLength(1);
    // Decided already: B says so, as the writer would.
    const again = await json(b.url, owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages/${sent.messageId}/tool-approvals/call_x`, { allow: true });
    expect(again.status).toBe(409);
  }, 60_000);

  it('shares the failed-login limit between the processes', async () => {
    const user = await createUserRecord(b.services.prisma, {});
    const attempt = (url: string) => fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: 'wrong password' }) });
    expect((await attempt(aUrl)).status).toBe(401);
    expect((await attempt(b.url)).status).toBe(401);
    expect((await attempt(aUrl)).status).toBe(401);
    // Three failures in all, split between A and B: the fourth is refused on either.
    const refused = await attempt(b.url);
    expect(refused.status).toBe(429);
    expect((await attempt(aUrl)).status).toBe(429);
  });

  it('an answer that runs longer than the lease keeps it (renewed) and is not swept by B', async () => {
    const text = words(90, 'l');
    openai.chat.script({ text, chunkDelayMs: 60 });
    const conversationId = await conversation();
    const onA = await socketTo(aUrl);
    const seen = record(onA, ['chat:done', 'chat:error']);
    const startedAt = Date.now();
    await emitWithAck(onA, 'chat:send', { conversationId, content: 'take your time' });
    const end = (await eventually(() => seen[0], Boolean, 30_000))!;
    expect(Date.now() - startedAt).toBeGreaterThan(LEASE_SECONDS * 1000 * 1.3);
    expect(end.name).toBe('chat:done');
    expect(end.payload.message).toMatchObject({ status: 'complete', content: text });
  }, 60_000);

  it('an answer whose process is killed is marked failed within the lease, and the user’s socket on B hears it', async () => {
    openai.chat.script({ text: words(200, 'k'), chunkDelayMs: 60 });
    const conversationId = await conversation();
    const onA = await socketTo(aUrl);
    const onB = await socketTo(b.url);
    const seenOnB = record(onB, ['chat:chunk', 'chat:error']);
    const ack = await emitWithAck(onA, 'chat:send', { conversationId, content: 'never finishes' });
    await eventually(() => seenOnB.filter((e) => e.name === 'chat:chunk').length >= 3);
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    const error = (await eventually(() => seenOnB.find((e) => e.name === 'chat:error'), Boolean, 20_000))!;
    const took = Date.now() - killedAt;
    expect(error.payload).toMatchObject({ conversationId, messageId: ack.messageId, error: { code: 'answer_interrupted' }, message: { status: 'error' } });
    // The bound: the lease, plus one sweep (a third of it), plus slack for a loaded machine.
    expect(took).toBeLessThan(LEASE_SECONDS * 1000 * 2 + 2000);
    const stored = await b.services.prisma.message.findUniqueOrThrow({ where: { id: ack.messageId } });
    expect(stored.status).toBe('error');
    // The conversation is free again.
    expect(await b.services.generations.busy(conversationId)).toBe(false);
  }, 60_000);
});

async function login(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEFAULT_PASSWORD }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function json(url: string, token: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
