import type { AuditLog as AuditRow } from '../../server/src/db/generated/client.js';
import { GENESIS_HASH } from '../../server/src/governance/auditLog.js';
import { openDatabase } from '../../server/src/db/database.js';
import { AuditLog } from '../../server/src/governance/auditLog.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

const nativeOnly = engineName === 'postgres' ? describe : describe.skip;

/** Runs SQL with the append-only triggers off, as a superuser tampering behind the API's back would. */
async function tamper(t: TestApp, sql: string, ...params: unknown[]) {
  await t.prisma.$executeRawUnsafe('ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete');
  try {
    await t.prisma.$executeRawUnsafe(sql, ...params);
  } finally {
    await t.prisma.$executeRawUnsafe('ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete');
  }
}

/** Puts a removed entry back exactly as it was (INSERT is allowed), repairing the chain. */
async function reinsert(t: TestApp, row: AuditRow) {
  await t.prisma.$executeRawUnsafe(
    `INSERT INTO audit_logs (id, actor_id, actor_email, action, resource_type, resource_id, old_values, new_values, ip, user_agent, created_at, prev_hash, hash)
     VALUES ($1, $2::uuid, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13)`,
    row.id, row.actorId, row.actorEmail, row.action, row.resourceType, row.resourceId,
    row.oldValues === null ? null : JSON.stringify(row.oldValues), row.newValues === null ? null : JSON.stringify(row.newValues),
    row.ip, row.userAgent, row.createdAt, row.prevHash, row.hash,
  );
}

async function chainRows(t: TestApp) {
  return t.prisma.auditLog.findMany({ orderBy: { id: 'asc' }, select: { id: true, prevHash: true, hash: true } });
}

describe(`audit hash chain (${engineName})`, () => {
  let t: TestApp;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000' });
    token = (await t.signIn({ role: 'admin' })).token;
    // Real changes through the API, so the chain holds what production writes.
    const group = await t.http.post('/api/v1/groups').set(auth()).send({ name: 'Chained', description: 'a, "quoted"\nline' }).expect(201);
    await t.http.patch(`/api/v1/groups/${group.body.id}`).set(auth()).send({ description: 'ünïcödé ✓' }).expect(200);
    for (let i = 0; i < 6; i += 1) await t.services.audit.record({ action: 'test.fill', newValues: { i, nested: { b: [1, 2.5, null, true], a: 'x' } } });
  });
  afterAll(() => t.close());
  // Every test that tampers repairs what it did, and checks the repaired chain verifies again.
  afterEach(async () => expect(await t.services.audit.verify()).toMatchObject({ ok: true }));

  it('links every entry to the one before, from the genesis hash, and verifies across pages', async () => {
    const rows = await chainRows(t);
    expect(rows.length).toBeGreaterThanOrEqual(9);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    rows.slice(1).forEach((row, i) => expect(row.prevHash).toBe(rows[i]!.hash));
    for (const pageSize of [1, 4, 1000]) {
      expect(await t.services.audit.verify(pageSize)).toEqual({ ok: true, checked: rows.length, lastId: rows.at(-1)!.id.toString(), lastHash: rows.at(-1)!.hash });
    }
    const res = await t.http.get('/api/v1/audit/verify').set(auth()).expect(200);
    expect(res.body).toMatchObject({ ok: true, checked: rows.length });
  });

  it('refuses UPDATE, DELETE and TRUNCATE at the database', async () => {
    const row = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'group.create' } });
    await expect(t.prisma.$executeRawUnsafe(`UPDATE audit_logs SET action = 'x' WHERE id = $1`, row.id)).rejects.toThrow(/append-only/);
    await expect(t.prisma.$executeRawUnsafe('DELETE FROM audit_logs WHERE id = $1', row.id)).rejects.toThrow(/append-only/);
    await expect(t.prisma.$executeRawUnsafe('TRUNCATE audit_logs')).rejects.toThrow(/append-only/);
    expect(await t.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('names an entry whose values were edited with the triggers disabled, with the expected and stored hash', async () => {
    const victim = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'group.update' } });
    const before = await chainRows(t);
    await tamper(t, `UPDATE audit_logs SET new_values = '{"name":"Forged"}' WHERE id = $1`, victim.id);
    const res = await t.http.get('/api/v1/audit/verify').set(auth()).expect(200);
    const position = before.findIndex((r) => r.id === victim.id);
    expect(res.body).toMatchObject({
      ok: false,
      checked: position,
      firstBrokenId: victim.id.toString(),
      brokenField: 'hash',
      storedHash: victim.hash,
      reason: expect.stringMatching(/does not match its hash/),
    });
    expect(res.body.expectedHash).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.expectedHash).not.toBe(victim.hash);
    expect(res.body.lastId).toBe(before[position - 1]!.id.toString());
    await tamper(t, `UPDATE audit_logs SET new_values = $2::jsonb WHERE id = $1`, victim.id, JSON.stringify(victim.newValues));
  });

  it('finds edits to any hashed field: actor, time, address, and a recomputed hash that no longer links', async () => {
    const rows = await chainRows(t);
    const target = rows[3]!;
    const edits: [string, unknown[]][] = [
      [`UPDATE audit_logs SET actor_email = 'someone-else@example.com' WHERE id = $1`, [target.id]],
      [`UPDATE audit_logs SET created_at = created_at + interval '1 millisecond' WHERE id = $1`, [target.id]],
      [`UPDATE audit_logs SET ip = '10.0.0.9' WHERE id = $1`, [target.id]],
    ];
    for (const [sql, params] of edits) {
      const snapshot = await t.prisma.auditLog.findUniqueOrThrow({ where: { id: target.id } });
      await tamper(t, sql, ...params);
      expect(await t.services.audit.verify(2)).toMatchObject({ ok: false, firstBrokenId: target.id.toString(), brokenField: 'hash' });
      await tamper(t, `UPDATE audit_logs SET actor_email = $2, created_at = $3, ip = $4 WHERE id = $1`, target.id, snapshot.actorEmail, snapshot.createdAt, snapshot.ip);
      expect(await t.services.audit.verify(2)).toMatchObject({ ok: true });
    }
    // A forger who also recomputes the edited entry's own hash still breaks the next link.
    await tamper(t, `UPDATE audit_logs SET hash = $2 WHERE id = $1`, target.id, 'f'.repeat(64));
    const result = await t.services.audit.verify();
    expect(result).toMatchObject({ ok: false, firstBrokenId: target.id.toString(), brokenField: 'hash', storedHash: 'f'.repeat(64) });
    await tamper(t, `UPDATE audit_logs SET hash = $2 WHERE id = $1`, target.id, target.hash);
  });

  it('detects a deleted entry at the entry after it', async () => {
    const rows = await chainRows(t);
    const removed = rows[4]!;
    const full = await t.prisma.auditLog.findUniqueOrThrow({ where: { id: removed.id } });
    await tamper(t, 'DELETE FROM audit_logs WHERE id = $1', removed.id);
    const res = await t.http.get('/api/v1/audit/verify').set(auth()).expect(200);
    expect(res.body).toMatchObject({
      ok: false,
      checked: 4,
      firstBrokenId: rows[5]!.id.toString(),
      brokenField: 'prevHash',
      expectedHash: rows[3]!.hash,
      storedHash: removed.hash,
      reason: expect.stringMatching(/does not link/),
    });
    await reinsert(t, full);
  });

  it('verifies from a noted checkpoint, and notices when the noted entry was cut off or changed', async () => {
    const noted = await t.services.audit.verify();
    await t.services.audit.record({ action: 'test.after_checkpoint' });
    const checkpoint = { id: BigInt(noted.lastId!), hash: noted.lastHash! };
    const since = await t.services.audit.verify(1000, checkpoint);
    expect(since).toMatchObject({ ok: true, checked: 2 });
    const res = await t.http.get(`/api/v1/audit/verify?fromId=${noted.lastId}&fromHash=${noted.lastHash}`).set(auth()).expect(200);
    expect(res.body).toMatchObject({ ok: true, checked: 2, lastId: since.lastId });
    await t.http.get(`/api/v1/audit/verify?fromId=${noted.lastId}`).set(auth()).expect(400);

    // Cutting entries off the end leaves a chain that verifies from the start, but not from the checkpoint.
    const tail = await t.prisma.auditLog.findMany({ where: { id: { gte: checkpoint.id } }, orderBy: { id: 'asc' } });
    await tamper(t, 'DELETE FROM audit_logs WHERE id >= $1', checkpoint.id);
    expect(await t.services.audit.verify()).toMatchObject({ ok: true, checked: noted.checked - 1 });
    expect(await t.services.audit.verify(1000, checkpoint)).toMatchObject({ ok: false, firstBrokenId: noted.lastId, reason: expect.stringMatching(/gone/) });
    for (const row of tail) await reinsert(t, row);

    expect(await t.services.audit.verify(1000, { ...checkpoint, hash: 'a'.repeat(64) })).toMatchObject({ ok: false, firstBrokenId: noted.lastId, storedHash: noted.lastHash });
    const after = tail[1]!;
    await tamper(t, `UPDATE audit_logs SET action = 'test.rewritten' WHERE id = $1`, after.id);
    expect(await t.services.audit.verify(1000, checkpoint)).toMatchObject({ ok: false, checked: 1, firstBrokenId: after.id.toString(), brokenField: 'hash' });
    await tamper(t, `UPDATE audit_logs SET action = $2 WHERE id = $1`, after.id, after.action);
  });

  it('refuses a second successor of the same entry (no fork), even written around the lock', async () => {
    const head = (await chainRows(t)).at(-1)!;
    await expect(
      t.prisma.$executeRawUnsafe(`INSERT INTO audit_logs (action, prev_hash, hash) VALUES ('forged', $1, $2)`, head.prevHash, 'e'.repeat(64)),
    ).rejects.toThrow(/prev_hash|unique/i);
    expect(await t.services.audit.verify()).toMatchObject({ ok: true });
  });

  it('keeps one chain when writers race, and an entry rolled back with its change leaves no gap in it', async () => {
    const failing = t.prisma.$transaction(async (tx) => {
      await t.services.audit.record({ action: 'test.rolled_back' }, tx);
      throw new Error('change failed after its audit entry');
    });
    await Promise.all([
      expect(failing).rejects.toThrow(/change failed/),
      ...Array.from({ length: 20 }, (_, i) => t.services.audit.record({ action: 'test.race', newValues: { i } })),
    ]);
    expect(await t.prisma.auditLog.count({ where: { action: 'test.rolled_back' } })).toBe(0);
    expect(await t.prisma.auditLog.count({ where: { action: 'test.race' } })).toBe(20);
    expect(await t.services.audit.verify(3)).toMatchObject({ ok: true });
  });

  it('writes a burst of standalone entries together, and one bad entry does not lose the others', async () => {
    const results = await Promise.allSettled(
      // Entry 5 names an actor id that is not a UUID: the database refuses that row.
      Array.from({ length: 12 }, (_, i) => t.services.audit.record({ actor: { id: i === 5 ? 'not-a-uuid' : null }, action: 'test.group_commit', newValues: { i } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    const stored = await t.prisma.auditLog.findMany({ where: { action: 'test.group_commit' }, orderBy: { id: 'asc' } });
    expect(stored.map((e) => (e.newValues as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
  });

  it('stores text Postgres would refuse (NUL, lone surrogates) as U+FFFD, and the entry still verifies', async () => {
    const odd = 'a\u0000b\ud800c\udc00d';
    await t.services.audit.record({ action: 'test.odd_text', resource: { type: 'probe', id: odd }, newValues: { [odd]: [odd] }, meta: { userAgent: odd } });
    const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'test.odd_text' } });
    const clean = 'a\uFFFDb\uFFFDc\uFFFDd';
    expect(entry).toMatchObject({ resourceId: clean, userAgent: clean, newValues: { [clean]: [clean] } });
  });

  it('redacts secrets at any depth and whatever the key spelling', async () => {
    await t.services.audit.record({
      action: 'test.secret',
      newValues: { name: 'k', api_key: 'sk-live-1', 'Refresh-Token': 'rt', nested: { Password: 'hunter2', list: [{ clientSecret: 'cs' }] } },
    });
    const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'test.secret' } });
    expect(entry.newValues).toEqual({ name: 'k', api_key: '[redacted]', 'Refresh-Token': '[redacted]', nested: { Password: '[redacted]', list: [{ clientSecret: '[redacted]' }] } });
  });
});

nativeOnly('audit chain under concurrent transactions (native Postgres)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('50 parallel transactions, each changing a row and recording, never fork the chain', async () => {
    const groups = await Promise.all(Array.from({ length: 5 }, (_, i) => t.prisma.group.create({ data: { name: `race-${i}` } })));
    const started = Date.now();
    // Ten transactions per group row: they also contend for the same row locks, as real commands do.
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.prisma.$transaction(
          async (tx) => {
            const group = groups[i % groups.length]!;
            await tx.group.update({ where: { id: group.id }, data: { description: `writer ${i}` } });
            await t.services.audit.record({ action: 'test.parallel', resource: { type: 'group', id: group.id }, newValues: { i } }, tx);
          },
          { timeout: 20_000, maxWait: 20_000 },
        ),
      ),
    );
    const elapsed = Date.now() - started;
    const rows = await t.prisma.auditLog.findMany({ orderBy: { id: 'asc' } });
    expect(rows.filter((r) => r.action === 'test.parallel')).toHaveLength(50);
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(rows.length);
    expect(await t.services.audit.verify(7)).toMatchObject({ ok: true, checked: rows.length });
    expect(elapsed).toBeLessThan(15_000);
  });

  it('200 records without a caller transaction, over the 10-connection pool, stay one chain', async () => {
    const before = await t.prisma.auditLog.count();
    await Promise.all(Array.from({ length: 200 }, (_, i) => t.services.audit.record({ action: 'test.burst', newValues: { i } })));
    const rows = await t.prisma.auditLog.findMany({ orderBy: { id: 'asc' }, select: { prevHash: true } });
    expect(rows).toHaveLength(before + 200);
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
    expect(await t.services.audit.verify()).toMatchObject({ ok: true, checked: before + 200 });
  });

  it('two server processes (separate connection pools) writing at once still make one chain', async () => {
    const second = await openDatabase({ engine: 'postgres', url: t.database.url! });
    try {
      const other = new AuditLog(second.prisma);
      const before = await t.prisma.auditLog.count();
      await Promise.all([
        ...Array.from({ length: 100 }, (_, i) => t.services.audit.record({ action: 'test.process_a', newValues: { i } })),
        ...Array.from({ length: 100 }, (_, i) => other.record({ action: 'test.process_b', newValues: { i } })),
        ...Array.from({ length: 20 }, (_, i) => second.prisma.$transaction((tx) => other.record({ action: 'test.process_b_tx', newValues: { i } }, tx), { maxWait: 20_000, timeout: 30_000 })),
      ]);
      const rows = await t.prisma.auditLog.findMany({ orderBy: { id: 'asc' }, select: { prevHash: true, action: true } });
      expect(rows).toHaveLength(before + 220);
      expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
      expect(await t.services.audit.verify()).toMatchObject({ ok: true, checked: rows.length });
    } finally {
      await second.close();
    }
  });
});
