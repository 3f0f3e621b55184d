import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import pg from 'pg';
import { entryHash, type ChainedContent } from '../../server/src/governance/auditChain.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// The audit log at production scale, on native Postgres only (PGlite would spend
// minutes inserting): 100,000 entries of about 1 KB, verified and exported
// while the retained heap is measured after forced collections. A server that
// held the export, or fetched ahead of a slow reader, would retain ~100 MB.

const nativeOnly = engineName === 'postgres' ? describe : describe.skip;
const ROWS = 100_000;
const RETAINED_HEAP_LIMIT = 32 * 1024 * 1024;
const MB = 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const retainedHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

/** Appends `count` chained entries with one INSERT per 5,000, hashes computed exactly as AuditLog does. */
async function seedChain(url: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const head = await client.query<{ hash: string; created_at: Date }>('SELECT hash, created_at FROM audit_logs ORDER BY id DESC LIMIT 1');
    let prevHash = head.rows[0]!.hash;
    const start = head.rows[0]!.created_at.getTime() + 1;
    const payload = 'lorem ipsum dolor sit amet '.repeat(26);
    for (let from = 0; from < count; from += 5000) {
      const cols = { email: [] as string[], resource: [] as string[], values: [] as string[], created: [] as string[], prev: [] as string[], hash: [] as string[] };
      for (let i = from; i < Math.min(count, from + 5000); i += 1) {
        const content: ChainedContent = {
          actorId: null,
          actorEmail: `seeder-${i % 50}@example.com`,
          action: 'bulk.seed',
          resourceType: 'probe',
          resourceId: `r-${i}`,
          oldValues: null,
          newValues: { seq: i, payload },
          ip: '127.0.0.1',
          userAgent: 'seed',
          createdAt: new Date(start + i).toISOString(),
        };
        const hash = entryHash(prevHash, content);
        cols.email.push(content.actorEmail!);
        cols.resource.push(content.resourceId!);
        cols.values.push(JSON.stringify(content.newValues));
        cols.created.push(content.createdAt);
        cols.prev.push(prevHash);
        cols.hash.push(hash);
        prevHash = hash;
      }
      // WITH ORDINALITY + ORDER BY: ids are drawn in chain order.
      await client.query(
        `INSERT INTO audit_logs (actor_email, action, resource_type, resource_id, new_values, ip, user_agent, created_at, prev_hash, hash)
         SELECT e, 'bulk.seed', 'probe', r, v::jsonb, '127.0.0.1', 'seed', c::timestamptz, p, h
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS s(e, r, v, c, p, h, n)
          ORDER BY n`,
        [cols.email, cols.resource, cols.values, cols.created, cols.prev, cols.hash],
      );
    }
  } finally {
    await client.end();
  }
}

interface Download {
  bytes: number;
  lines: number;
  maxRetainedDelta: number;
  headers: http.IncomingHttpHeaders;
  lastLine: string;
}

/** Reads a response incrementally (nothing kept but counters), measuring the retained heap every 8 MB. */
function download(port: number, path: string, token: string, pauseAfterFirstChunkMs = 0): Promise<Download> {
  return new Promise((resolve, reject) => {
    const baseline = retainedHeap();
    const req = http.get({ port, path, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      const result: Download = { bytes: 0, lines: 0, maxRetainedDelta: 0, headers: res.headers, lastLine: '' };
      let sinceSample = 0;
      let tail = '';
      const sample = () => (result.maxRetainedDelta = Math.max(result.maxRetainedDelta, retainedHeap() - baseline));
      res.on('data', (chunk: Buffer) => {
        if (result.bytes === 0 && pauseAfterFirstChunkMs) {
          // A slow reader: the server must stop fetching rather than queue the rest in memory.
          res.pause();
          setTimeout(() => {
            sample();
            res.resume();
          }, pauseAfterFirstChunkMs);
        }
        result.bytes += chunk.length;
        sinceSample += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) result.lines += 1;
        tail = (tail + chunk.toString('utf8')).slice(-4000);
        if (sinceSample >= 8 * MB) {
          sinceSample = 0;
          sample();
        }
      });
      res.on('end', () => {
        sample();
        result.lastLine = tail.trimEnd().split('\n').pop() ?? '';
        resolve(result);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

nativeOnly('audit log at 100,000 entries (native Postgres)', () => {
  let t: TestApp;
  let token: string;
  let server: http.Server;
  let port: number;
  const figures: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    token = (await t.signIn({ role: 'admin' })).token;
    const started = Date.now();
    await seedChain(t.database.url!, ROWS);
    figures.seed = `${ROWS} entries in ${Date.now() - started} ms`;
    server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  }, 300_000);
  afterAll(async () => {
    process.stdout.write(`\naudit scale figures: ${JSON.stringify(figures, null, 2)}\n`);
    await new Promise((r) => server?.close(r));
    await t?.close();
  });

  it('verifies the whole chain in pages with flat memory', async () => {
    const baseline = retainedHeap();
    let maxDelta = 0;
    const timer = setInterval(() => (maxDelta = Math.max(maxDelta, retainedHeap() - baseline)), 250);
    const started = Date.now();
    const result = await t.services.audit.verify();
    clearInterval(timer);
    const total = await t.prisma.auditLog.count();
    figures.verify = `${result.checked} entries in ${Date.now() - started} ms, retained heap +${(maxDelta / MB).toFixed(1)} MB`;
    expect(result).toMatchObject({ ok: true, checked: total });
    expect(total).toBeGreaterThan(ROWS);
    expect(maxDelta).toBeLessThan(RETAINED_HEAP_LIMIT);
  }, 180_000);

  // Times are printed with the figures, not asserted: these machines are shared and noisy.
  it('answers filtered list pages and the action names at this size', async () => {
    const timed = async (path: string) => {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { total?: number; data: unknown[] };
      return { ms: performance.now() - started, status: res.status, body };
    };
    const cases = {
      newest: '/api/v1/audit?pageSize=50',
      byAction: '/api/v1/audit?action=bulk.seed&page=100&pageSize=50',
      byPrefix: '/api/v1/audit?action=bulk.&pageSize=50',
      byEmail: '/api/v1/audit?actorEmail=seeder-7%40&pageSize=50',
      byResource: '/api/v1/audit?resourceType=probe&resourceId=r-4242',
      actions: '/api/v1/audit/actions',
    };
    const results: Record<string, string> = {};
    for (const [name, path] of Object.entries(cases)) {
      await timed(path);
      const { ms, status, body } = await timed(path);
      expect(status).toBe(200);
      results[name] = `${ms.toFixed(0)} ms`;
      if (name === 'byEmail') expect(body.total).toBe(ROWS / 50);
      if (name === 'byResource') expect(body.total).toBe(1);
      if (name === 'actions') expect(body.data).toContain('bulk.seed');
    }
    figures.list = JSON.stringify(results);
  }, 120_000);

  it('finds one edited entry among 100,000', async () => {
    const victim = await t.prisma.auditLog.findFirstOrThrow({ where: { resourceId: 'r-70000' } });
    await t.prisma.$executeRawUnsafe('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete');
    await t.prisma.$executeRawUnsafe(`UPDATE audit_logs SET new_values = jsonb_set(new_values, '{seq}', '7') WHERE id = $1`, victim.id);
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/audit/verify`, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { ok: boolean; firstBrokenId: string; checked: number };
    await t.prisma.$executeRawUnsafe(`UPDATE audit_logs SET new_values = $2::jsonb WHERE id = $1`, victim.id, JSON.stringify(victim.newValues));
    await t.prisma.$executeRawUnsafe('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete');
    expect(body).toMatchObject({ ok: false, firstBrokenId: victim.id.toString(), brokenField: 'hash' });
    expect(body.checked).toBeGreaterThan(70_000);
    expect((await t.services.audit.verify()).ok).toBe(true);
  }, 180_000);

  it('streams 100,000 entries as NDJSON with the retained heap bounded', async () => {
    const started = Date.now();
    const got = await download(port, '/api/v1/audit/export?format=ndjson&action=bulk.seed', token);
    figures.ndjson = `${got.lines} lines, ${(got.bytes / MB).toFixed(1)} MB in ${Date.now() - started} ms, retained heap +${(got.maxRetainedDelta / MB).toFixed(1)} MB`;
    expect(got.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(got.lines).toBe(ROWS);
    expect(JSON.parse(got.lastLine)).toMatchObject({ action: 'bulk.seed', resourceId: `r-${ROWS - 1}`, newValues: { seq: ROWS - 1 } });
    expect(got.bytes).toBeGreaterThan(3 * RETAINED_HEAP_LIMIT);
    expect(got.maxRetainedDelta).toBeLessThan(RETAINED_HEAP_LIMIT);
  }, 300_000);

  it('stops fetching while a slow reader is not reading (CSV, backpressure)', async () => {
    const started = Date.now();
    const got = await download(port, '/api/v1/audit/export?format=csv&action=bulk.', token, 3000);
    figures.csv = `${got.lines} lines, ${(got.bytes / MB).toFixed(1)} MB in ${Date.now() - started} ms (3 s paused), retained heap +${(got.maxRetainedDelta / MB).toFixed(1)} MB`;
    expect(got.lines).toBe(ROWS + 1);
    expect(got.lastLine).toContain(`r-${ROWS - 1}`);
    expect(got.maxRetainedDelta).toBeLessThan(RETAINED_HEAP_LIMIT);
  }, 300_000);
});
