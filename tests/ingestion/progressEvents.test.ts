import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../../server/src/server.js';
import { createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { fixture } from '../support/knowledge.js';
import { testConfig } from '../support/testApp.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';

// Status and percent reach the console live over socket.io, from the worker
// running inside the API process, to those allowed to watch the assistant.
describe(`live ingestion progress (${engineName})`, () => {
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let server: RunningServer;
  let uploadsDir: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    uploadsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-progress-'));
    empty = await createEmptyDatabase();
    server = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1', UPLOADS_DIR: uploadsDir, LOGIN_RATE_PER_MINUTE: '1000' }), { db: await empty.open() });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await server.close();
    await server.services.db.close();
    await empty.drop();
    fs.rmSync(uploadsDir, { recursive: true, force: true });
  });

  async function login(role: 'admin' | 'user') {
    const user = await createUserRecord(server.services.prisma, { role });
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: DEFAULT_PASSWORD }) });
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  function socketFor(token: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  }

  const watch = (socket: Socket, assistantId: string) =>
    new Promise<{ ok: boolean; error?: { code: string } }>((resolve) => socket.emit('files:watch', assistantId, resolve));

  it('pushes each status and percent to watchers, and refuses watchers without access', async () => {
    const token = await login('admin');
    const assistant = await (
      await fetch(`${server.url}/api/v1/assistants`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'Live' }) })
    ).json() as { id: string };

    const admin = await socketFor(token);
    expect(await watch(admin, assistant.id)).toEqual({ ok: true });
    const outsider = await socketFor(await login('user'));
    expect(await watch(outsider, assistant.id)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await watch(outsider, 'not-a-uuid')).toMatchObject({ ok: false, error: { code: 'validation_failed' } });

    const seen: { status: string; progress: number }[] = [];
    const outsiderSaw: unknown[] = [];
    outsider.on('file:updated', (f) => outsiderSaw.push(f));
    const ready = new Promise<void>((resolve) => {
      admin.on('file:updated', (file: { status: string; progress: number }) => {
        seen.push({ status: file.status, progress: file.progress });
        if (file.status === 'ready' || file.status === 'failed') resolve();
      });
    });

    const form = new FormData();
    form.append('files', new Blob([fs.readFileSync(fixture('misc/mammoth__README.md'))]), 'README.md');
    const upload = await fetch(`${server.url}/api/v1/assistants/${assistant.id}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(upload.status).toBe(201);
    await ready;

    const statuses = seen.map((e) => e.status);
    expect(statuses).toEqual(expect.arrayContaining(['extracting', 'chunking', 'embedding', 'ready']));
    expect(statuses.indexOf('extracting')).toBeLessThan(statuses.indexOf('chunking'));
    expect(statuses.indexOf('chunking')).toBeLessThan(statuses.indexOf('ready'));
    const progress = seen.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    expect(outsiderSaw).toEqual([]);
  }, 60_000);
});
