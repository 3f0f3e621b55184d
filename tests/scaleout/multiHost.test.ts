import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { builtPaths } from '../deploy/support/atriumProcesses.js';
import { NginxInstance, nginxBinary } from '../deploy/support/nginxInstance.js';
import { ManagedProcess } from '../deploy/support/processes.js';
import { emitWithAck, eventually, isTitleRequest, record, TEST_API_KEY, TEST_MODEL } from '../support/chatServer.js';
import type { ChatCall } from '../support/chatScript.js';
import { fixture } from '../support/knowledge.js';
import { OpenAiTestServer } from '../support/openaiTestServer.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';
import { HostNetwork, netnsUnavailable, sweepStaleHosts } from './support/hostNetwork.js';

// The multi-host proof of issue 17. Five "hosts", each a network namespace
// with its own address on a private /24: API processes A, B and C, a separate
// ingestion WORKER, and nginx (the project's templates, round-robin over A, B
// and C) on LB. They share only what separate machines would share: Postgres
// and Redis over the network (the machine's own, reached through forwarders on
// the bridge's address), the same secrets, and an uploads folder standing in
// for a shared volume. Every process is the built product
// (`node server/dist/main.js api|worker`), as a deployment runs it.

const redisUrl = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const API_PORT = 3000;
const NGINX_PORT = 8080;
const API_HOSTS = ['a', 'b', 'c'] as const;
/** A short answer lease, so a lost host's answer is given up within seconds (the default is 15 s). */
const LEASE_SECONDS = 3;
type ApiHost = (typeof API_HOSTS)[number];

function redisReachable(): boolean {
  const probe = `const s=require('net').connect(${Number(redisUrl.port) || 6379},'${redisUrl.hostname}');s.setTimeout(1000,()=>process.exit(1));s.on('error',()=>process.exit(1));s.on('connect',()=>s.write('PING\\r\\n'));s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1));`;
  return spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0;
}

/** Why this suite cannot run here, or undefined. Asked once, synchronously, so the suite is skipped like other native-only tests. */
function whySkipped(): string | undefined {
  if (engineName !== 'postgres') return 'needs native Postgres (TEST_DATABASE_URL)';
  if (!redisReachable()) return `Redis does not answer at ${redisUrl.host}`;
  if (!fs.existsSync(nginxBinary)) return `nginx is not installed (${nginxBinary}): run \`bash .ci/install-system.sh\``;
  const netns = netnsUnavailable();
  if (netns) return `network namespaces are not permitted here: ${netns}`;
  return undefined;
}

const skipped = whySkipped();
if (skipped && engineName === 'postgres') console.warn(`multiHost.test.ts skipped: ${skipped}`);
const suite = skipped ? describe.skip : describe;

suite('several hosts over Redis and Postgres: API A, B, C, a worker and nginx in network namespaces (native Postgres; skipped otherwise)', () => {
  let network: HostNetwork | undefined;
  let openai: OpenAiTestServer;
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>> | undefined;
  let workDir: string;
  const processes = new Map<string, ManagedProcess>();
  let nginx: NginxInstance | undefined;
  const sockets: Socket[] = [];
  const prefix = `atrium-mh-${randomBytes(4).toString('hex')}`;
  const admin = { email: 'admin@multihost.example.com', password: `Admin-${randomBytes(6).toString('hex')}-7` };
  let adminToken: string;
  let assistantId: string;
  let groupId: string;

  const apiUrl = (host: ApiHost) => `http://${network!.host(host).address}:${API_PORT}`;
  const describeAll = () => [...processes.values()].map((p) => p.describe()).join('\n') + (nginx ? `\n${nginx.describe()}` : '');

  beforeAll(async () => {
    if (!fs.existsSync(builtPaths.server)) throw new Error('server/dist/main.js is missing: run `npm run build` (or `npm run build:server`) before this test');
    sweepStaleHosts();
    network = new HostNetwork();
    const octets = { a: 11, b: 12, c: 13, worker: 20, lb: 30 };
    for (const [name, octet] of Object.entries(octets)) network.addHost(name, octet);

    openai = await new OpenAiTestServer().start();
    openai.chat.intercept = (call: ChatCall) => (isTitleRequest(call) ? { text: 'A generated title' } : undefined);
    empty = await createEmptyDatabase();
    // What the hosts reach over the network: the machine's Postgres, Redis and the test model server.
    const gateway = network.gateway;
    const database = new URL(empty.url!);
    database.hostname = gateway;
    database.port = String(await network.forward(Number(database.port) || 5432));
    const redisPort = await network.forward(Number(redisUrl.port) || 6379);
    const model = new URL(openai.baseUrl);
    model.hostname = gateway;
    model.port = String(await network.forward(Number(model.port)));

    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-multihost-'));
    const shared = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(API_PORT),
      DATABASE_URL: database.toString(),
      REDIS_URL: `redis://${gateway}:${redisPort}`,
      REDIS_PREFIX: prefix,
      // The same secrets on every host, as a deployment must configure them.
      JWT_SECRET: randomBytes(32).toString('base64'),
      MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      OPENAI_BASE_URL: model.toString().replace(/\/$/, ''),
      OPENAI_API_KEY: TEST_API_KEY,
      DEFAULT_MODEL: TEST_MODEL,
      CHAT_TITLES: 'false',
      CHAT_TIMEOUT_SECONDS: '20',
      ANSWER_LEASE_SECONDS: String(LEASE_SECONDS),
      // The shared uploads volume: the API hosts write uploads there, the worker reads them.
      UPLOADS_DIR: path.join(workDir, 'uploads'),
      TRUST_PROXY: '1',
      // Only the WORKER host ingests.
      WORKER_IN_API: 'false',
      SEMANTIC_RERANK: 'false',
      LOGIN_RATE_PER_MINUTE: '1000',
      COOKIE_SECURE: 'false',
      BCRYPT_COST: '4',
      LOG_LEVEL: 'warn',
    };
    const startOn = (host: string, role: 'api' | 'worker') => {
      const [command, args] = network!.exec(host, process.execPath, [builtPaths.server, role]);
      const cwd = path.join(workDir, host);
      fs.mkdirSync(cwd, { recursive: true });
      const env = { ...shared, HOST: network!.host(host).address, DATA_DIR: path.join(cwd, 'data') };
      processes.set(host, new ManagedProcess(`${role} on host ${host} (${network!.host(host).address})`, command, args, { cwd, env }));
    };
    const ready = async (host: ApiHost) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        // A process that exited will not become ready: say why at once.
        if (processes.get(host)!.exited) throw new Error(`API on host ${host} exited before it was ready:\n${describeAll()}`);
        if ((await fetch(`${apiUrl(host)}/api/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => null))?.ok) return;
        if (Date.now() > deadline) throw new Error(`API on host ${host} not ready in 90 s:\n${describeAll()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    // A first: it applies the migrations and creates the first admin; the others then find both done.
    startOn('a', 'api');
    await ready('a');
    startOn('b', 'api');
    startOn('c', 'api');
    startOn('worker', 'worker');
    await Promise.all([ready('b'), ready('c')]);

    const staticRoot = path.join(workDir, 'static');
    for (const app of ['web', 'admin']) fs.mkdirSync(path.join(staticRoot, app), { recursive: true });
    nginx = new NginxInstance(path.join(workDir, 'nginx'), {
      upstream: API_HOSTS.map((h) => `${network!.host(h).address}:${API_PORT}`).join('; server '),
      listenHost: network.host('lb').address,
      httpPort: NGINX_PORT,
      httpsPort: NGINX_PORT + 1,
      staticRoot,
      certsDir: path.join(workDir, 'certs'),
      maxUploadMb: 1,
      launcher: ['ip', 'netns', 'exec', network.host('lb').netns],
    });
    nginx.prepare();
    await nginx.start();

    adminToken = (await call(nginx.httpUrl, 'POST', '/api/v1/auth/login', undefined, admin)).accessToken;
    assistantId = (await call(nginx.httpUrl, 'POST', '/api/v1/assistants', adminToken, { name: 'Across hosts' })).id;
    groupId = (await call(nginx.httpUrl, 'POST', '/api/v1/groups', adminToken, { name: 'Staff' })).id;
    await call(nginx.httpUrl, 'PATCH', `/api/v1/assistants/${assistantId}`, adminToken, { groupIds: [groupId] });
  }, 240_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await nginx?.stop().catch(() => undefined);
    await Promise.all([...processes.values()].map((p) => p.stop().catch(() => undefined)));
    // The namespaces go only after every process in them has exited.
    await network?.remove();
    await openai?.close();
    const { Redis } = await import('ioredis');
    const redis = new Redis(redisUrl.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    await empty?.drop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ');

  const openSocket = (url: string, token: string, names: string[]) => {
    const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const seen = record(socket, names);
    const connected = new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
    return { socket, seen, connected };
  };

  /**
   * Which API hosts received at least `bytes` more on their API port during
   * `action`: read from the hosts' own TCP tables (`ss -i` in each namespace),
   * not from the server. Bytes, not new connections, because nginx may hand a
   * request or a websocket an idle upstream connection from its keepalive pool.
   */
  async function receivedDuring(bytes: number, action: () => Promise<unknown>): Promise<ApiHost[]> {
    const received = () => new Map(API_HOSTS.map((h) => [h, [...network!.connections(h, API_PORT).values()].reduce((a, b) => a + b, 0)] as const));
    const before = received();
    await action();
    const grew = () => {
      const after = received();
      return API_HOSTS.filter((h) => after.get(h)! - before.get(h)! >= bytes);
    };
    return eventually(grew, (hosts) => hosts.length > 0, 5000).catch(() => grew());
  }

  /**
   * A websocket through nginx that lands on `wanted`: nginx balances
   * round-robin, so connect until it does. The socket sends a 100 kB probe
   * event (which the server ignores) and the host that received it holds it.
   */
  async function socketThroughNginxOn(wanted: ApiHost, token: string, names: string[]) {
    const PROBE = 100_000;
    for (let attempt = 0; attempt < 9; attempt++) {
      const opened = openSocket(nginx!.httpUrl, token, names);
      await opened.connected;
      const holders = await receivedDuring(PROBE, async () => opened.socket.emit('multihost:probe', 'x'.repeat(PROBE)));
      if (holders.length === 1 && holders[0] === wanted) return opened;
      opened.socket.close();
    }
    throw new Error(`nginx never sent a websocket to host ${wanted} in 9 attempts`);
  }

  async function member(label: string) {
    const created = await call(nginx!.httpUrl, 'POST', '/api/v1/users', adminToken, { email: `${label}-${randomBytes(3).toString('hex')}@multihost.example.com`, name: label, role: 'user' });
    await call(nginx!.httpUrl, 'PUT', `/api/v1/groups/${groupId}/members/${created.id}`, adminToken, { role: 'member' });
    const temporary = await call(nginx!.httpUrl, 'POST', '/api/v1/auth/login', undefined, { email: created.email, password: created.temporaryPassword });
    const password = `${label} password long enough-${randomBytes(4).toString('hex')}-7`;
    const session = await call(nginx!.httpUrl, 'POST', '/api/v1/me/password', temporary.accessToken, { currentPassword: created.temporaryPassword, newPassword: password });
    return { id: created.id as string, token: session.accessToken as string };
  }

  it('every API host reports Redis up, and nginx on its own host reaches all three', async () => {
    for (const host of API_HOSTS) {
      const res = await fetch(`${apiUrl(host)}/api/ready`);
      expect({ host, status: res.status, body: await res.json() }).toMatchObject({ host, status: 200, body: { status: 'ready', redis: 'up' } });
    }
    // Round-robin: six requests through nginx reach each API host (each carries a 6 kB header to tell it apart).
    const reached = new Set<ApiHost>();
    for (let i = 0; i < 6; i++) {
      const hosts = await receivedDuring(6000, async () => expect((await fetch(`${nginx!.httpUrl}/api/ready`, { headers: { 'x-probe': 'x'.repeat(6000) } })).status).toBe(200));
      expect(hosts).toHaveLength(1);
      hosts.forEach((h) => reached.add(h));
    }
    expect([...reached].sort()).toEqual([...API_HOSTS]);
  }, 30_000);

  it('a socket on A asks; it reconnects through nginx to B mid-answer and gets the rest exactly once, in order', async () => {
    const user = await member('resumer');
    const conversationId = (await call(nginx!.httpUrl, 'POST', '/api/v1/conversations', user.token, { assistantId })).id as string;
    const text = words(60, 'w');
    openai.chat.script({ text, chunkDelayMs: 60 });

    const first = await socketThroughNginxOn('a', user.token, ['chat:chunk', 'chat:done']);
    const ack = await emitWithAck(first.socket, 'chat:send', { conversationId, content: 'count slowly' });
    expect(ack).toMatchObject({ ok: true, messageId: expect.any(String) });
    await eventually(() => first.seen.filter((e) => e.name === 'chat:chunk').length >= 5, Boolean, 20_000);
    // The connection drops (the laptop changes network); A goes on writing.
    first.socket.close();
    const beforeDrop = first.seen.filter((e) => e.name === 'chat:chunk');
    expect(first.seen.some((e) => e.name === 'chat:done')).toBe(false);

    const second = await socketThroughNginxOn('b', user.token, ['chat:chunk', 'chat:done']);
    const resume = await emitWithAck(second.socket, 'chat:resume', { conversationId });
    expect(resume).toMatchObject({ ok: true, streaming: { messageId: ack.messageId, seq: expect.any(Number), text: expect.any(String) } });
    const { seq, text: soFar } = resume.streaming as { seq: number; text: string };
    expect(seq).toBeGreaterThanOrEqual(beforeDrop.length);
    // What the first socket heard is the start of what B says was written.
    expect(soFar.startsWith(beforeDrop.map((e) => e.payload.text).join(''))).toBe(true);

    const done = (await eventually(() => second.seen.find((e) => e.name === 'chat:done'), Boolean, 20_000))!;
    const chunks = second.seen.filter((e) => e.name === 'chat:chunk');
    // Each chunk reached the socket on B once (the adapter fans out once per socket, whichever host wrote it)...
    const seqs = chunks.map((e) => e.payload.seq as number);
    expect(new Set(seqs).size).toBe(seqs.length);
    // ...and what follows the resumed seq goes on from it without a gap or a repeat.
    const rest = chunks.filter((e) => e.payload.seq > seq);
    expect(rest.map((e) => e.payload.seq)).toEqual(rest.map((_, i) => seq + 1 + i));
    expect(soFar + rest.map((e) => e.payload.text).join('')).toBe(text);
    expect(done.payload.message).toMatchObject({ id: ack.messageId, status: 'complete', content: text });
  }, 90_000);

  it('stop sent to B stops the answer A is writing', async () => {
    const user = await member('stopper');
    const conversationId = (await call(nginx!.httpUrl, 'POST', '/api/v1/conversations', user.token, { assistantId })).id as string;
    const text = words(100, 's');
    openai.chat.script({ text, chunkDelayMs: 60 });
    const onA = openSocket(apiUrl('a'), user.token, ['chat:chunk', 'chat:done']);
    await onA.connected;
    await emitWithAck(onA.socket, 'chat:send', { conversationId, content: 'go on for a while' });
    await eventually(() => onA.seen.filter((e) => e.name === 'chat:chunk').length >= 3, Boolean, 20_000);

    const stopped = await call(apiUrl('b'), 'POST', `/api/v1/conversations/${conversationId}/stop`, user.token);
    expect(stopped).toEqual({ stopped: true });
    const done = (await eventually(() => onA.seen.find((e) => e.name === 'chat:done'), Boolean, 10_000))!;
    expect(done.payload.message.status).toBe('stopped');
    const heard = onA.seen.filter((e) => e.name === 'chat:chunk').map((e) => e.payload.text).join('');
    expect(done.payload.message.content).toBe(heard);
    expect(heard.length).toBeLessThan(text.length);
    // Free again, as seen from C.
    expect(await call(apiUrl('c'), 'POST', `/api/v1/conversations/${conversationId}/stop`, user.token)).toEqual({ stopped: false });
  }, 60_000);

  it('a console socket on C follows the progress of a file the WORKER host ingests, each update once', async () => {
    const console_ = openSocket(apiUrl('c'), adminToken, ['file:updated']);
    await console_.connected;
    expect(await emitWithAck(console_.socket, 'files:watch', assistantId)).toEqual({ ok: true });

    // Uploaded through nginx (to whichever API host), ingested by the worker (no API host runs one).
    const form = new FormData();
    form.append('files', new Blob([fs.readFileSync(fixture('misc/unstructured__norwich-city.txt'))]), 'norwich.txt');
    const res = await fetch(`${nginx!.httpUrl}/api/v1/assistants/${assistantId}/files`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: form });
    expect(res.status).toBe(201);
    const fileId = ((await res.json()) as { files: { id: string }[] }).files[0]!.id;

    const updates = () => console_.seen.filter((e) => e.payload?.id === fileId).map((e) => e.payload as { status: string; progress: number });
    await eventually(() => updates().some((u) => u.status === 'ready' || u.status === 'failed'), Boolean, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\nupdates on C: ${JSON.stringify(updates())}\n${describeAll()}`);
    });
    const seen = updates();
    // Once each: three API hosts hear the worker's notification, yet the console must get one copy.
    const copies = seen.map((u) => `${u.status} ${u.progress}`);
    expect({ repeated: copies.filter((c, i) => copies.indexOf(c) !== i), heard: copies }).toEqual({ repeated: [], heard: copies });
    expect(seen.at(-1)).toMatchObject({ status: 'ready', progress: 100 });
    // The pipeline's stages, in order, as C heard them.
    const order = ['queued', 'extracting', 'chunking', 'embedding', 'ready'];
    const stages = seen.map((u) => order.indexOf(u.status));
    expect(stages).toEqual([...stages].sort((x, y) => x - y));
    expect(seen.map((u) => u.status)).toEqual(expect.arrayContaining(['extracting', 'chunking', 'embedding', 'ready']));
  }, 90_000);

  it('an admin deactivating a user on B disconnects their socket on A', async () => {
    const user = await member('leaver');
    const onA = openSocket(apiUrl('a'), user.token, []);
    await onA.connected;
    const disconnected = new Promise<string>((resolve) => onA.socket.once('disconnect', resolve));
    const startedAt = Date.now();
    await call(apiUrl('b'), 'PATCH', `/api/v1/users/${user.id}`, adminToken, { active: false });
    expect(await Promise.race([disconnected, new Promise((r) => setTimeout(() => r('still connected after 10 s'), 10_000))])).toBe('io server disconnect');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    // And the account is refused on every host.
    for (const host of API_HOSTS) expect((await fetch(`${apiUrl(host)}/api/v1/me`, { headers: { authorization: `Bearer ${user.token}` } })).status).toBe(401);
  }, 60_000);

  // Last: it takes host A off the network for a while.
  it('a host cut off from the network mid-answer: another host marks its answer failed within the lease, and the host rejoins by itself', async () => {
    const user = await member('unplugged');
    const conversationId = (await call(nginx!.httpUrl, 'POST', '/api/v1/conversations', user.token, { assistantId })).id as string;
    openai.chat.script({ text: words(300, 'u'), chunkDelayMs: 60 });
    const onA = openSocket(apiUrl('a'), user.token, []);
    const onB = openSocket(apiUrl('b'), user.token, ['chat:chunk', 'chat:error', 'chat:done']);
    await Promise.all([onA.connected, onB.connected]);
    const ack = await emitWithAck(onA.socket, 'chat:send', { conversationId, content: 'a long one' });
    expect(ack).toMatchObject({ ok: true });
    await eventually(() => onB.seen.filter((e) => e.name === 'chat:chunk').length >= 3, Boolean, 20_000);

    // Unlike kill -9, A's process goes on: it just reaches nothing (Redis, Postgres, the model) and nothing reaches it.
    network!.setConnected('a', false);
    const unpluggedAt = Date.now();
    try {
      const ended = (await eventually(() => onB.seen.find((e) => e.name !== 'chat:chunk'), Boolean, 30_000))!;
      const took = Date.now() - unpluggedAt;
      expect(ended).toMatchObject({ name: 'chat:error', payload: { conversationId, messageId: ack.messageId, error: { code: 'answer_interrupted' }, message: { status: 'error' } } });
      // The bound, as for a killed process: the lease, one sweep (a third of it), and slack for a crowded machine.
      expect(took).toBeLessThan(LEASE_SECONDS * 1000 * 2 + 3000);
      // The conversation is free again, as C sees it.
      expect(await call(apiUrl('c'), 'POST', `/api/v1/conversations/${conversationId}/stop`, user.token)).toEqual({ stopped: false });
    } finally {
      network!.setConnected('a', true);
    }
    // Plugged back in, A serves again with Redis up, without a restart.
    const back = await eventually(
      async () => {
        const res = await fetch(`${apiUrl('a')}/api/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
        return res?.ok ? ((await res.json()) as { status: string; redis?: string }) : undefined;
      },
      (body) => body?.status === 'ready' && body.redis === 'up',
      30_000,
    );
    expect(back).toMatchObject({ status: 'ready', redis: 'up' });
    expect(processes.get('a')!.exited).toBe(false);
  }, 90_000);
});

/** A JSON call that throws on a non-2xx answer, naming the call. */
async function call(base: string, method: string, p: string, token?: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${base}${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
