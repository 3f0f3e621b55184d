import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { randomBytes } from 'node:crypto';
import { readEvents } from '../support/chatServer.js';
import { OpenAiTestServer } from '../support/openaiTestServer.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';
import { AtriumProcesses, assertBuilt, builtPaths } from './support/atriumProcesses.js';
import { assertSystemTools, NginxInstance } from './support/nginxInstance.js';
import { freePort, waitFor } from './support/processes.js';
import { rawRequest } from './support/rawHttp.js';

// The production shape without Docker: the built server and a separate worker
// as processes on native Postgres, behind Debian's nginx running the project's
// own templates (rendered as the nginx image renders them; only ports, paths and
// the upstream differ), driven over HTTP, websockets, TLS and headless Chromium.
// Needs a database server for the second process, so native Postgres only.
const nativeOnly = engineName === 'postgres' ? describe : describe.skip;

const MAX_UPLOAD_MB = 1;
const MiB = 1024 * 1024;
const admin = { email: 'first-admin@example.com', password: 'first admin password 1' };
// From ENVIRONMENT.md: what works for Debian's Chromium as root on these machines.
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

nativeOnly('the built product behind nginx (native Postgres only; skipped without TEST_DATABASE_URL)', () => {
  let workDir: string;
  let database: Awaited<ReturnType<typeof createEmptyDatabase>> | undefined;
  let atrium: AtriumProcesses | undefined;
  let nginx: NginxInstance | undefined;
  let browser: Browser | undefined;
  let base: string;
  let token: string;
  let assistantId: string;
  let model: OpenAiTestServer | undefined;

  beforeAll(async () => {
    assertBuilt();
    model = await new OpenAiTestServer().start();
    assertSystemTools();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-nginx-'));
    database = await createEmptyDatabase();
    const [apiPort, httpPort, httpsPort] = [await freePort(), await freePort(), await freePort()];
    atrium = new AtriumProcesses({
      databaseUrl: database.url!,
      port: apiPort,
      workDir,
      env: {
        JWT_SECRET: 'nginx-test-secret-that-is-long-enough-0123456789',
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        MAX_UPLOAD_MB: String(MAX_UPLOAD_MB),
        // No TLS in front of most of this test (as README says for plain HTTP).
        COOKIE_SECURE: 'false',
        BCRYPT_COST: '4',
        // The default chat model: a test server speaking OpenAI's streaming protocol.
        MASTER_KEY: randomBytes(32).toString('base64'),
        OPENAI_BASE_URL: model.baseUrl,
        OPENAI_API_KEY: 'sk-nginx-test-key',
        DEFAULT_MODEL: 'test-chat-model',
        CHAT_TITLES: 'false',
      },
    });
    await atrium.waitReady();

    // The image's layout: one folder with web/ and admin/ in it.
    const staticRoot = path.join(workDir, 'static');
    fs.mkdirSync(staticRoot);
    fs.symlinkSync(builtPaths.web, path.join(staticRoot, 'web'));
    fs.symlinkSync(builtPaths.admin, path.join(staticRoot, 'admin'));
    nginx = new NginxInstance(path.join(workDir, 'nginx'), {
      upstream: `127.0.0.1:${apiPort}`,
      httpPort,
      httpsPort,
      staticRoot,
      certsDir: path.join(workDir, 'certs'),
      maxUploadMb: MAX_UPLOAD_MB,
    });
    nginx.prepare();
    await nginx.start();
    base = nginx.httpUrl;
  }, 90_000);

  afterAll(async () => {
    // Every step runs even when an earlier one failed, so no process outlives the test.
    const steps = [() => browser?.close(), () => nginx?.stop(), () => atrium?.stop(), () => database?.drop(), () => model?.close()];
    for (const step of steps) await Promise.resolve(step()).catch((error: unknown) => console.error('cleanup:', error));
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  /** Wraps an assertion block so a failure also shows what the processes logged. */
  function explain<T>(work: () => Promise<T>): Promise<T> {
    return work().catch((error: Error) => {
      error.message += `\n--- processes ---\n${atrium?.describe()}\n${nginx?.describe()}`;
      throw error;
    });
  }

  const securityHeaders = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
  };

  describe('static apps', () => {
    test('the chat app at / and at a deep client route: index.html, never cached, with the security headers', async () => {
      for (const route of ['/', '/c/8f0c2b3e/some/deep/route']) {
        const res = await rawRequest(`${base}${route}`, { headers: { accept: 'text/html' } });
        expect(res.status).toBe(200);
        expect(res.text()).toContain('<title>Atrium</title>');
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.headers).toMatchObject(securityHeaders);
        expect(res.headers['content-security-policy']).toContain("script-src 'self'");
        expect(res.headers.server).toBe('nginx');
      }
    });

    test('the console at /admin/ and its client routes: its own index.html, never cached; /admin redirects', async () => {
      for (const route of ['/admin/', '/admin/users/42/show']) {
        const res = await rawRequest(`${base}${route}`);
        expect(res.status).toBe(200);
        expect(res.text()).toContain('<title>Atrium console</title>');
        expect(res.headers['cache-control']).toBe('no-cache');
      }
      const bare = await rawRequest(`${base}/admin`);
      expect(bare.status).toBe(301);
      expect(bare.headers.location).toBe('/admin/');
    });

    test('hashed assets: cached for a year as immutable, JavaScript gzipped; a missing asset is a 404, not index.html', async () => {
      for (const [prefix, index] of [['/', 'web'], ['/admin/', 'admin']] as const) {
        const html = fs.readFileSync(path.join(builtPaths[index], 'index.html'), 'utf8');
        const script = new RegExp(`src="(${prefix}assets/[^"]+\\.js)"`).exec(html)?.[1];
        expect(script).toBeDefined();
        const res = await rawRequest(`${base}${script}`, { headers: { 'accept-encoding': 'gzip' } });
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(res.headers['content-encoding']).toBe('gzip');
        expect(res.headers['content-type']).toMatch(/javascript/);
        expect(res.headers).toMatchObject(securityHeaders);
        const original = fs.readFileSync(path.join(builtPaths[index], script!.slice(prefix.length)));
        expect(res.body.length).toBeLessThan(original.length);
      }
      const missing = await rawRequest(`${base}/assets/index-doesnotexist.js`);
      expect(missing.status).toBe(404);
      expect(missing.headers['cache-control']).toBeUndefined();
    });
  });

  describe('API through nginx', () => {
    test('/api/health and /api/ready answer from the server, with nginx security headers and no static CSP', async () => {
      const health = await rawRequest(`${base}/api/health`);
      expect(health.status).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok' });
      expect(health.headers).toMatchObject(securityHeaders);
      expect(health.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id, passed on and echoed
      expect(health.headers['x-powered-by']).toBeUndefined();
      const ready = await fetch(`${base}/api/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', engine: 'postgres' });
    });

    test('the first admin logs in through nginx (access token, refresh cookie scoped to the auth API)', async () => {
      const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { accessToken: string; user: { email: string; role: string } };
      expect(body.user).toMatchObject({ email: admin.email, role: 'admin' });
      expect(res.headers.get('set-cookie')).toMatch(/^atrium_refresh=.+Path=\/api\/v1\/auth/);
      token = body.accessToken;
      const created = await fetch(`${base}/api/v1/assistants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Handbook', instructions: 'Answer from the handbook.' }),
      });
      expect(created.status).toBe(201);
      assistantId = ((await created.json()) as { id: string }).id;
    });

    test('a socket.io websocket through nginx: the token is checked at the handshake, events arrive', () =>
      explain(async () => {
        const refused = await connectSocket(base, 'not-a-token');
        expect(refused.error?.message).toMatch(/authentication|token/i);

        const { socket, error } = await connectSocket(base, token);
        expect(error).toBeUndefined();
        try {
          expect(socket!.io.engine.transport.name).toBe('websocket');
          const watched = await socket!.timeout(5000).emitWithAck('files:watch', assistantId);
          expect(watched).toEqual({ ok: true });
          // The worker process indexes an upload; its progress reaches the browser through nginx.
          const ready = new Promise<{ id: string; status: string }>((resolve) =>
            socket!.on('file:updated', (file: { id: string; status: string }) => file.status === 'ready' && resolve(file)),
          );
          const upload = await uploadFile(base, token, assistantId, 'notes.md', Buffer.from('# Notes\n\nThe office opens at nine.\n'));
          expect(upload.status).toBe(201);
          const fileId = ((await upload.json()) as { files: { id: string }[] }).files[0]!.id;
          const file = await withTimeout(ready, 30_000, 'file:updated with status ready over the websocket');
          expect(file.id).toBe(fileId);
        } finally {
          socket!.disconnect();
        }
      }),
    );

    test('uploads: a file just under MAX_UPLOAD_MB passes; over it the server refuses; a request over the nginx limit is refused by nginx; both as JSON 413', () =>
      explain(async () => {
        const under = await uploadFile(base, token, assistantId, 'under.txt', textOfSize(MAX_UPLOAD_MB * MiB - 16 * 1024));
        expect(under.status).toBe(201);

        const over = await uploadFile(base, token, assistantId, 'over.txt', textOfSize(MAX_UPLOAD_MB * MiB + 16 * 1024));
        expect(over.status).toBe(413);
        expect(await over.json()).toMatchObject({ error: { code: 'payload_too_large', message: expect.stringContaining('larger than the limit') } });

        // nginx allows MAX_UPLOAD_MB x 20 + 1 MB per knowledge upload request; this is above it.
        const tooMany = await uploadFile(base, token, assistantId, 'huge.txt', textOfSize((MAX_UPLOAD_MB * 20 + 2) * MiB));
        expect(tooMany.status).toBe(413);
        expect(tooMany.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await tooMany.json()).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining(`${MAX_UPLOAD_MB} MB per file`) } });
        expect(fs.readFileSync(nginx!.errorLog, 'utf8')).toMatch(/client intended to send too large body/);
      }),
    );

    test('other API requests are capped at one file of MAX_UPLOAD_MB by nginx', async () => {
      const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.alloc((MAX_UPLOAD_MB + 1) * MiB, 0x20) });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    });

    test('/metrics is served to loopback (a private address)', async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE');
    });
  });

  describe('streamed answers through nginx', () => {
    // Tokens must reach the client as they are written: 8 tokens 60 ms apart
    // arrive spread over about half a second, not in one lump at the end
    // (nginx must neither buffer the SSE response nor the websocket).
    const words = ['Through', 'nginx', 'every', 'token', 'arrives', 'as', 'it', 'is', 'written.'];
    const expected = words.join(' ');
    const login = async () => {
      const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const newConversation = async (accessToken: string) => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
      const post = async (p: string, body: unknown) => {
        const res = await fetch(`${base}${p}`, { method: 'POST', headers, body: JSON.stringify(body) });
        const json = (await res.json()) as { id: string };
        if (res.status !== 201) throw new Error(`POST ${p}: ${res.status} ${JSON.stringify(json)}`);
        return json.id;
      };
      return post('/api/v1/conversations', { assistantId: await post('/api/v1/assistants', { name: `Streams ${Math.random()}` }) });
    };

    test('a streamed answer over the websocket arrives token by token through nginx', () =>
      explain(async () => {
        const accessToken = await login();
        const conversationId = await newConversation(accessToken);
        const { socket, error } = await connectSocket(base, accessToken);
        expect(error).toBeUndefined();
        try {
          model!.chat.script({ text: expected, chunkDelayMs: 60 });
          const arrivals: number[] = [];
          let text = '';
          const done = new Promise<{ message: { content: string } }>((resolve) => socket!.once('chat:done', resolve));
          socket!.on('chat:chunk', (e: { text: string }) => {
            arrivals.push(Date.now());
            text += e.text;
          });
          const ack = await withTimeout(new Promise<{ ok: boolean }>((resolve) => socket!.emit('chat:send', { conversationId, content: 'stream please' }, resolve)), 10_000, 'the send ack');
          expect(ack.ok).toBe(true);
          const final = await withTimeout(done, 15_000, 'chat:done');
          expect(text).toBe(expected);
          expect(final.message.content).toBe(expected);
          expect(arrivals.length).toBeGreaterThanOrEqual(5);
          expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(300);
        } finally {
          socket!.close();
        }
      }));

    test('a streamed answer over SSE arrives unbuffered through nginx', () =>
      explain(async () => {
        const accessToken = await login();
        const conversationId = await newConversation(accessToken);
        model!.chat.script({ text: expected, chunkDelayMs: 60 });
        const res = await fetch(`${base}/api/v1/conversations/${conversationId}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${accessToken}` },
          body: JSON.stringify({ content: 'stream please' }),
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const arrivals: number[] = [];
        const events = await readEvents(res, (e) => {
          if (e.event === 'chunk') arrivals.push(Date.now());
          return false;
        });
        expect(events.at(-1)!.event).toBe('done');
        expect(events.filter((e) => e.event === 'chunk').map((e) => e.data.text).join('')).toBe(expected);
        expect(arrivals.length).toBeGreaterThanOrEqual(5);
        expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(300);
      }));
  });

  describe('in headless Chromium', () => {
    beforeAll(async () => {
      // launch() gives the browser a fresh temporary profile of its own.
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags });
    }, 30_000);

    test('the chat app through nginx: sign in, ask, and watch the answer stream in over the websocket', () =>
      explain(async () => {
        const loginRes = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
        const accessToken = ((await loginRes.json()) as { accessToken: string }).accessToken;
        const created = await fetch(`${base}/api/v1/assistants`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
          body: JSON.stringify({ name: 'Nginx helper', description: 'Answers through the proxy' }),
        });
        expect(created.status).toBe(201);
        const answer = 'Every word of this answer came through nginx over the websocket.';
        model!.chat.script({ text: answer, chunkDelayMs: 80 });

        const { page, problems } = await openWatched(browser!, `${base}/`);
        await page.getByLabel('Email').fill(admin.email);
        await page.getByLabel('Password', { exact: true }).fill(admin.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: /Nginx helper/ }).click();
        const composer = page.getByRole('textbox', { name: 'Message' });
        await composer.fill('Does streaming work behind the proxy?');
        await composer.press('Enter');
        // Mid-answer: the stop button is up and only part of the text is there.
        await page.getByRole('button', { name: 'Stop answer' }).waitFor({ timeout: 15_000 });
        const last = page.locator('article.message--assistant').last();
        await last.getByText('Every word').waitFor({ timeout: 15_000 });
        expect(await last.textContent()).not.toContain('websocket.');
        await last.getByText(answer).waitFor({ timeout: 15_000 });
        await page.getByRole('button', { name: 'Send message' }).waitFor();
        expect(problems).toEqual([]);
        await page.close();
      }),
    );

    test('the console: the first admin logs in through the login page', () =>
      explain(async () => {
        const { page, problems } = await openWatched(browser!, `${base}/admin/`);
        await page.locator('input[name="email"]').fill(admin.email);
        await page.locator('input[name="password"]').fill(admin.password);
        const login = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
        await page.locator('button[type="submit"]').click();
        expect((await login).status()).toBe(200);
        await page.locator('input[name="password"]').waitFor({ state: 'detached', timeout: 15_000 });
        expect(problems).toEqual([]);
        await page.close();
      }),
    );
  });

  describe('per-address request limits', () => {
    test('a burst of 400 API requests from one address is cut off with JSON 429s', async () => {
      const statuses: number[] = [];
      const bodies: string[] = [];
      const queue = Array.from({ length: 400 }, (_, i) => i);
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (queue.shift() !== undefined) {
            const res = await fetch(`${base}/api/health`);
            statuses.push(res.status);
            if (res.status === 429) bodies.push(await res.text());
            else await res.arrayBuffer();
          }
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      const passed = statuses.filter((s) => s === 200).length;
      // The API zone allows a burst of 100, then 30 requests a second (the TLS test
      // that follows waits for the bucket to refill).
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect(passed).toBeGreaterThanOrEqual(100);
      expect(passed).toBeLessThanOrEqual(100 + Math.ceil(30 * seconds) + 5);
      expect(bodies.length).toBeGreaterThan(0);
      expect(JSON.parse(bodies[0]!)).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
      // Static files are not limited.
      expect((await fetch(`${base}/`)).status).toBe(200);
    });
  });

  describe('TLS with mounted certificates', () => {
    test('30-atrium-tls.sh turns on the HTTPS server and the redirect; /healthz stays on plain HTTP', () =>
      explain(async () => {
        const certsDir = nginx!.settings.certsDir;
        fs.mkdirSync(certsDir, { recursive: true });
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', path.join(certsDir, 'privkey.pem'), '-out', path.join(certsDir, 'fullchain.pem')], { stdio: 'pipe' });
        expect(nginx!.enableTls({ redirect: true })).toMatch(/TLS on/);
        const https = `https://127.0.0.1:${nginx!.settings.httpsPort}`;
        const health = await waitFor('the HTTPS server', async () => {
          const res = await rawRequest(`${https}/api/health`).catch(() => undefined);
          return res?.status === 200 ? res : undefined;
        });
        expect(health.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
        expect(health.headers).toMatchObject(securityHeaders);
        const app = await rawRequest(`${https}/admin/users`);
        expect(app.text()).toContain('<title>Atrium console</title>');

        const plain = await waitFor('the HTTP redirect', async () => {
          const res = await rawRequest(`${base}/admin/users?x=1`);
          return res.status === 301 ? res : undefined;
        });
        expect(plain.headers.location).toBe('https://127.0.0.1/admin/users?x=1');
        expect((await rawRequest(`${base}/healthz`)).status).toBe(200);
      }),
    );
  });
});

function textOfSize(bytes: number): Buffer {
  const line = 'The quarterly handbook explains travel, leave and expenses in plain words.\n';
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes));
}

function uploadFile(base: string, token: string, assistantId: string, name: string, content: Buffer): Promise<Response> {
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(content)], { type: 'text/plain' }), name);
  return fetch(`${base}/api/v1/assistants/${assistantId}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
}

/** A websocket-only socket.io connection (no polling fallback), as through a proxy that must upgrade. */
function connectSocket(base: string, token: string): Promise<{ socket?: Socket; error?: Error }> {
  const socket = io(base, { transports: ['websocket'], auth: { token }, reconnection: false, timeout: 5000 });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => {
      socket.close();
      resolve({ error });
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * Opens a page and collects what would show as red in the console: errors,
 * CSP violations, uncaught exceptions, failed requests. The one expected
 * failure is the console's silent session restore before anyone has logged in.
 */
async function openWatched(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const expectedFailure = (status: number, requestUrl: string) => status === 401 && new URL(requestUrl).pathname === '/api/v1/auth/refresh';
  page.on('response', (r) => r.status() >= 400 && !expectedFailure(r.status(), r.url()) && problems.push(`HTTP ${r.status()} ${r.url()}`));
  // Chromium also logs every failed request; those are judged by status above.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)),
  );
  const res = await page.goto(url);
  expect(res?.status()).toBe(200);
  return { page, problems };
}
