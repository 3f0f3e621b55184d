import { parse } from 'csv-parse/sync';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { AUDIT_EXPORT_COLUMNS } from '../../server/src/governance/auditExport.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

describe(`audit log API: filters, entries, export (${engineName})`, () => {
  let t: TestApp;
  let admin: { user: { id: string; email: string }; token: string };
  let staff: { id: string; email: string };
  const auth = () => ({ Authorization: `Bearer ${admin.token}` });
  const list = async (query: string) => (await t.http.get(`/api/v1/audit?${query}`).set(auth()).expect(200)).body;
  const exportOf = (query: string) => t.http.get(`/api/v1/audit/export?${query}`).set(auth()).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
  });
  let tMiddle: string;

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000' });
    admin = await t.signIn({ role: 'admin', email: 'Audit.Admin@example.com'.toLowerCase() });
    staff = (await t.signIn({ role: 'user', email: 'staff-member@example.com' })).user;
    await t.http.post('/api/v1/auth/login').send({ email: 'staff-member@example.com', password: 'not the password 1' }).expect(401);
    const group = await t.http.post('/api/v1/groups').set(auth()).send({ name: 'Filtered' }).expect(201);
    await t.http.put(`/api/v1/groups/${group.body.id}/members/${staff.id}`).set(auth()).send({ role: 'member' }).expect(204);
    await new Promise((r) => setTimeout(r, 20));
    tMiddle = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await t.http.patch(`/api/v1/users/${staff.id}`).set(auth()).send({ role: 'manager' }).expect(200);
    // Cells a spreadsheet would run as formulas, and text that needs CSV quoting.
    await t.services.audit.record({ actor: { email: '@evil.example' }, action: 'test.csv', resource: { type: 'probe', id: '=HYPERLINK("http://x","y")' }, newValues: { note: 'a, "b"\nc' } });
    await t.services.audit.record({ action: 'test.csv', resource: { type: 'probe', id: '+1+2' }, meta: { userAgent: '-2+3;cmd' } });
  });
  afterAll(() => t.close());

  it('lists newest first by default, with paging and other sort orders', async () => {
    const all = await list('pageSize=200');
    expect(all.total).toBeGreaterThanOrEqual(8);
    const ids = all.data.map((e: { id: string }) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    const page2 = await list('pageSize=3&page=2');
    expect(page2).toMatchObject({ page: 2, pageSize: 3, total: all.total });
    expect(page2.data.map((e: { id: string }) => e.id)).toEqual(all.data.slice(3, 6).map((e: { id: string }) => e.id));
    const byAction = await list('sort=action&order=asc&pageSize=200');
    const actions = byAction.data.map((e: { action: string }) => e.action);
    expect(actions).toEqual([...actions].sort());
  });

  it('filters by actor, email, exact action, action prefix, resource and time', async () => {
    const byActor = await list(`actorId=${admin.user.id}&pageSize=200`);
    expect(byActor.total).toBeGreaterThan(0);
    expect(byActor.data.every((e: { actorId: string }) => e.actorId === admin.user.id)).toBe(true);

    const byEmail = await list('actorEmail=STAFF-member');
    expect(byEmail.data.map((e: { action: string }) => e.action).sort()).toEqual(['auth.login', 'auth.login_failed']);

    expect((await list('action=auth.login')).data.every((e: { action: string }) => e.action === 'auth.login')).toBe(true);
    const authPrefix = await list('action=auth.&pageSize=200');
    expect(new Set(authPrefix.data.map((e: { action: string }) => e.action))).toEqual(new Set(['auth.login', 'auth.login_failed']));
    const groupStar = await list('action=group.*');
    expect(groupStar.data.map((e: { action: string }) => e.action).sort()).toEqual(['group.create', 'group.member_add']);

    const byResource = await list(`resourceType=user&resourceId=${staff.id}&pageSize=200`);
    expect(byResource.data.map((e: { action: string }) => e.action).sort()).toEqual(['auth.login', 'auth.login_failed', 'user.role_change']);

    const after = await list(`from=${tMiddle}&pageSize=200`);
    const before = await list(`to=${tMiddle}&pageSize=200`);
    expect(after.total + before.total).toBe((await list('pageSize=1')).total);
    expect(after.data.map((e: { action: string }) => e.action)).toContain('user.role_change');
    expect(before.data.map((e: { action: string }) => e.action)).not.toContain('user.role_change');
    const today = tMiddle.slice(0, 10);
    expect((await list(`from=${today}&to=${today}&action=user.role_change`)).total).toBe(1);
    expect((await list(`to=2000-01-01&action=user.role_change`)).total).toBe(0);

    expect((await list('q=member_add')).data.map((e: { action: string }) => e.action)).toEqual(['group.member_add']);
  });

  it('refuses malformed filters with field-level errors', async () => {
    for (const query of ['from=yesterday', 'to=2026-13-45', `from=${tMiddle}&to=2000-01-01T00:00:00Z`, 'action=auth.%25', 'actorId=42', 'pageSize=1000', 'sort=hash']) {
      const res = await t.http.get(`/api/v1/audit?${query}`).set(auth());
      expect({ query, status: res.status, code: res.body.error?.code }).toEqual({ query, status: 400, code: 'validation_failed' });
    }
  });

  it('reads one entry with its old and new values and both hashes', async () => {
    const { data } = await list('action=user.role_change');
    const one = (await t.http.get(`/api/v1/audit/${data[0].id}`).set(auth()).expect(200)).body;
    expect(one).toMatchObject({
      id: data[0].id,
      actorEmail: admin.user.email,
      resourceId: staff.id,
      oldValues: { role: 'user' },
      newValues: { role: 'manager' },
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hash: data[0].hash,
    });
    expect((await t.http.get('/api/v1/audit/999999999').set(auth()).expect(404)).body.error.code).toBe('not_found');
    expect((await t.http.get('/api/v1/audit/abc').set(auth()).expect(400)).body.error.code).toBe('validation_failed');
  });

  it('lists each action name once, sorted', async () => {
    const { data } = (await t.http.get('/api/v1/audit/actions').set(auth()).expect(200)).body;
    const rows = await t.prisma.auditLog.findMany({ distinct: ['action'], select: { action: true } });
    expect(data).toEqual(rows.map((r) => r.action).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(data).toEqual(expect.arrayContaining(['auth.login', 'group.create', 'user.role_change']));
  });

  it('exports CSV as a dated attachment, quoted, with formula cells neutralised, and audits the export', async () => {
    const res = await exportOf('format=csv&action=test.csv').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?atrium-audit-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.csv"?$/);
    const text = res.body as string;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const records = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([...AUDIT_EXPORT_COLUMNS]);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ actorEmail: "'@evil.example", resourceId: `'=HYPERLINK("http://x","y")`, newValues: JSON.stringify({ note: 'a, "b"\nc' }), oldValues: '' });
    expect(records[1]).toMatchObject({ resourceId: "'+1+2", userAgent: "'-2+3;cmd", actorEmail: '' });
    const stored = await t.prisma.auditLog.findMany({ where: { action: 'test.csv' }, orderBy: { id: 'asc' } });
    expect(records.map((r) => [r.id, r.hash, r.prevHash, r.createdAt])).toEqual(stored.map((s) => [s.id.toString(), s.hash, s.prevHash, s.createdAt.toISOString()]));

    const audited = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'audit.export' }, orderBy: { id: 'desc' } });
    expect(audited).toMatchObject({ actorId: admin.user.id, newValues: { format: 'csv', filters: { action: 'test.csv' } } });
  });

  it('exports NDJSON oldest first, fixed at the newest entry when it started, across several batches', async () => {
    await Promise.all(Array.from({ length: 1200 }, (_, i) => t.services.audit.record({ action: 'test.bulk', newValues: { i } })));
    const res = await exportOf('format=ndjson').expect(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const lines = (res.body as string).split('\n');
    expect(lines.pop()).toBe('');
    const entries = lines.map((l) => JSON.parse(l) as { id: string; action: string; newValues: unknown });
    const exportEntry = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'audit.export' }, orderBy: { id: 'desc' } });
    // Everything before the export's own entry, nothing after: one line per entry, in chain order.
    expect(entries).toHaveLength(await t.prisma.auditLog.count({ where: { id: { lt: exportEntry.id } } }));
    expect(entries.at(-1)!.id).toBe((exportEntry.id - 1n).toString());
    const ids = entries.map((e) => BigInt(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(entries.filter((e) => e.action === 'test.bulk')).toHaveLength(1200);
    expect(exportEntry.newValues).toMatchObject({ format: 'ndjson', filters: {}, upToId: (exportEntry.id - 1n).toString() });

    const filtered = await exportOf(`format=ndjson&action=auth.&to=${tMiddle}`).expect(200);
    const actions = (filtered.body as string).trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions.sort()).toEqual(['auth.login', 'auth.login', 'auth.login_failed']);
  });

  it('takes a reader hanging up mid-export calmly: no server error, the server carries on', async () => {
    // More than the loopback socket buffers hold, so the server is still writing when the reader goes.
    const pad = 'p'.repeat(16_000);
    await Promise.all(Array.from({ length: 600 }, (_, i) => t.services.audit.record({ action: 'test.large', newValues: { i, pad } })));
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const errors = jest.spyOn(t.services.logger, 'error');
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ port, path: '/api/v1/audit/export?format=csv&action=test.large', headers: { Authorization: `Bearer ${admin.token}` } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (e) => ((e as { code?: string }).code === 'ECONNRESET' ? undefined : reject(e)));
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(errors).not.toHaveBeenCalled();
      expect((await t.http.get('/api/v1/audit/verify').set(auth()).expect(200)).body.ok).toBe(true);
    } finally {
      errors.mockRestore();
      await new Promise((r) => server.close(r));
    }
  });
});
