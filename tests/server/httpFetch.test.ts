import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { httpFetch } from '../../server/src/lib/httpFetch.js';

// The providers' SDKs send through httpFetch (lib/httpFetch.ts); what they
// rely on from fetch, against a real HTTP server.

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

class TestServer {
  readonly seen: Seen[] = [];
  connections = 0;
  closed = 0;
  private readonly server: http.Server;
  url = '';

  constructor(private readonly routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void>) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
        this.seen.push(seen);
        const route = this.routes[new URL(req.url!, 'http://x').pathname];
        if (route) route(req, res, seen);
        else res.writeHead(404).end('no route');
      });
    });
    this.server.on('connection', (socket) => {
      this.connections++;
      socket.on('close', () => this.closed++);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const echo = (_req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let other: TestServer;
let server: TestServer;

beforeAll(async () => {
  other = await new TestServer({ '/echo': echo }).start();
  server = await new TestServer({
    '/echo': echo,
    '/events': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const word of ['one', 'two', 'three']) {
        res.write(`data: ${word}\n\n`);
        await sleep(30);
      }
      res.end();
    },
    '/forever': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write('data: tick\n\n'), 10);
      res.on('close', () => clearInterval(timer));
    },
    '/hang': () => undefined,
    '/gzip': (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(zlib.gzipSync('ünïcode, compressed '.repeat(100))),
    '/brotli': (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end(zlib.brotliCompressSync('brotli body')),
    '/empty': (_req, res) => res.writeHead(204).end(),
    '/status': (_req, res) => res.writeHead(429, 'Too Many', { 'retry-after': '3', 'x-two': 'a' }).end('{"error":"slow down"}'),
    '/307': (_req, res) => res.writeHead(307, { location: '/echo?from=307' }).end(),
    '/302': (_req, res) => res.writeHead(302, { location: '/echo?from=302' }).end(),
    '/away': (_req, res) => res.writeHead(307, { location: `${other.url}/echo` }).end(),
    '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
  }).start();
});

afterAll(async () => {
  await server.stop();
  await other.stop();
});

describe('httpFetch', () => {
  it('sends the method, headers and body, and gives status, headers and body back', async () => {
    const res = await httpFetch(`${server.url}/echo`, {
      method: 'post',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer k' },
      body: JSON.stringify({ question: 'ünïcode ✓' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const seen = (await res.json()) as Seen;
    expect(seen).toMatchObject({ method: 'POST', body: '{"question":"ünïcode ✓"}' });
    expect(seen.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer k', 'content-length': String(Buffer.byteLength(seen.body)) });

    const bytes = await httpFetch(`${server.url}/echo`, { method: 'POST', body: new TextEncoder().encode('bytes ✓').subarray(0, 5) });
    expect(((await bytes.json()) as Seen).body).toBe('bytes');

    const failed = await httpFetch(`${server.url}/status`);
    expect([failed.status, failed.statusText, failed.headers.get('retry-after'), await failed.text()]).toEqual([429, 'Too Many', '3', '{"error":"slow down"}']);
  });

  it('streams the body as it arrives, not when it ends', async () => {
    const started = performance.now();
    const res = await httpFetch(`${server.url}/events`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    const firstAt = performance.now() - started;
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += new TextDecoder().decode(part.value);
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    expect(rest).toBe('data: two\n\ndata: three\n\n');
    // The whole body takes three 30 ms gaps; the first event came before them.
    expect(firstAt).toBeLessThan(performance.now() - started - 45);
  });

  it('keeps the connection for the next request', async () => {
    const before = server.connections;
    for (let i = 0; i < 3; i++) await (await httpFetch(`${server.url}/echo`)).text();
    expect(server.connections - before).toBeLessThanOrEqual(1);
  });

  it('decodes compressed bodies and gives no body where the status has none', async () => {
    expect(await (await httpFetch(`${server.url}/gzip`)).text()).toBe('ünïcode, compressed '.repeat(100));
    expect(await (await httpFetch(`${server.url}/brotli`)).text()).toBe('brotli body');
    const empty = await httpFetch(`${server.url}/empty`);
    expect([empty.status, empty.body]).toEqual([204, null]);
    const head = await httpFetch(`${server.url}/echo`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, null]);
  });

  it('follows redirects as fetch does: 307 keeps the POST, 302 turns it into a GET, credentials stay at their origin', async () => {
    const headers = { authorization: 'Bearer secret', 'x-api-key': 'sk-secret', 'content-type': 'application/json' };
    const kept = (await (await httpFetch(`${server.url}/307`, { method: 'POST', headers, body: '{"a":1}' })).json()) as Seen;
    expect(kept).toMatchObject({ method: 'POST', url: '/echo?from=307', body: '{"a":1}' });
    expect(kept.headers).toMatchObject({ authorization: 'Bearer secret', 'x-api-key': 'sk-secret' });

    const turned = (await (await httpFetch(`${server.url}/302`, { method: 'POST', headers, body: '{"a":1}' })).json()) as Seen;
    expect(turned).toMatchObject({ method: 'GET', url: '/echo?from=302', body: '' });
    expect(turned.headers['content-type']).toBeUndefined();

    const away = (await (await httpFetch(`${server.url}/away`, { method: 'POST', headers, body: '{"a":1}' })).json()) as Seen;
    expect(away).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(away.headers.authorization).toBeUndefined();
    expect(away.headers['x-api-key']).toBeUndefined();

    await expect(httpFetch(`${server.url}/loop`)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { message: 'too many redirects' } });
  });

  it('fails as fetch does when the server cannot be reached', async () => {
    const gone = await new TestServer({}).start();
    await gone.stop();
    await expect(httpFetch(`${gone.url}/echo`)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
    await expect(httpFetch('ftp://127.0.0.1/x')).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
  });

  it('aborts before the response and during the body, and the server sees the connection close', async () => {
    const waiting = new AbortController();
    const pending = httpFetch(`${server.url}/hang`, { signal: waiting.signal });
    await sleep(30);
    waiting.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    await expect(httpFetch(`${server.url}/echo`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });

    const streaming = new AbortController();
    const closedBefore = server.closed;
    const res = await httpFetch(`${server.url}/forever`, { signal: streaming.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('data: tick');
    streaming.abort();
    await expect((async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })()).rejects.toMatchObject({ name: 'AbortError' });
    for (let i = 0; i < 50 && server.closed === closedBefore; i++) await sleep(10);
    expect(server.closed).toBeGreaterThan(closedBefore);
  });

  it('hands what it does not take to Node’s fetch (a form body)', async () => {
    const form = new FormData();
    form.set('file', new Blob(['file text']), 'a.txt');
    const seen = (await (await httpFetch(`${server.url}/echo`, { method: 'POST', body: form })).json()) as Seen;
    expect(seen.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen.body).toContain('file text');
  });
});
