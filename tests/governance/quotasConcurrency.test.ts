import type { Database, PrismaClient } from '../../server/src/db/database.js';
import { openDatabase } from '../../server/src/db/database.js';
import { AppError } from '../../server/src/errors/appError.js';
import type { QuotaReservation, QuotaService, QuotaSubject } from '../../server/src/governance/quotas/index.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';
import { callSubject, counterOf, manualClock, quotaService } from './quotaSupport.js';

// Many calls racing for the last of a quota. On native Postgres they run in
// parallel over 40 connections from four pools (four API processes, in
// effect); PGlite has one connection, so there the same calls are only
// interleaved, which checks the arithmetic but not the locking.

type Outcome = { ok: true; reservation: QuotaReservation } | { ok: false; error: unknown };

async function race(services: QuotaService[], calls: { subject: QuotaSubject; tokens: number }[]): Promise<Outcome[]> {
  return Promise.all(
    calls.map((c, i) =>
      services[i % services.length]!.reserve(c.subject, { tokens: c.tokens, cost: 0 }).then(
        (reservation): Outcome => ({ ok: true, reservation }),
        (error: unknown): Outcome => ({ ok: false, error }),
      ),
    ),
  );
}

const refusedForQuota = (o: Outcome) => !o.ok && o.error instanceof AppError && o.error.code === 'quota_exceeded';

describe(`quota reservations under concurrency (${engineName})`, () => {
  let t: TestDatabase;
  let prisma: PrismaClient;
  const extra: Database[] = [];
  const services: QuotaService[] = [];
  const clock = manualClock('2026-11-22T12:00:00Z');

  beforeAll(async () => {
    t = await createTestDatabase();
    prisma = t.db.prisma;
    services.push(quotaService(t.db, clock));
    if (t.url) {
      for (let i = 0; i < 3; i++) extra.push(await openDatabase({ engine: 'postgres', url: t.url }));
      for (const db of extra) services.push(quotaService(db, clock));
    }
  });
  afterAll(async () => {
    for (const db of extra) await db.close();
    await t.drop();
  });

  it('admits exactly what the arithmetic allows when 50 calls race for a nearly spent daily limit', async () => {
    const subject = await callSubject(prisma);
    const q = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, tokensPerDay: 10_000n } });
    await (await services[0]!.reserve(subject, { tokens: 0, cost: 0 })).settle({ tokens: 9_000, cost: 0 });

    const estimate = 150;
    const started = Date.now();
    const outcomes = await race(services, Array.from({ length: 50 }, () => ({ subject, tokens: estimate })));
    const elapsed = Date.now() - started;

    // Admitted while settled + reserved < limit: 9000 + 150k < 10000 for k = 0..6.
    const admitted = outcomes.filter((o) => o.ok);
    expect(admitted).toHaveLength(7);
    expect(outcomes.filter(refusedForQuota)).toHaveLength(43);
    const day = await counterOf(prisma, q.id, 'day');
    expect(day).toMatchObject({ requests: 8, tokens: 9_000, reservedTokens: 7 * estimate });
    expect(day!.tokens + day!.reservedTokens).toBeLessThanOrEqual(10_000 + estimate);
    // 43 refusals, racing, leave one audit entry.
    expect(await prisma.auditLog.count({ where: { action: 'quota.exceeded', resourceId: q.id } })).toBe(1);

    await Promise.all(admitted.map((o) => o.ok && o.reservation.settle({ tokens: estimate, cost: 0 })));
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ tokens: 10_050, reservedTokens: 0 });
    process.stdout.write(`[quota race, ${engineName}] 50 reservations over ${t.url ? `${services.length * 10} connections` : "PGlite's one connection"} in ${elapsed} ms\n`);
  });

  it('never deadlocks when calls of many users share group and global quotas, reserving and settling at once', async () => {
    const first = await callSubject(prisma);
    const subjects = [first, ...(await Promise.all(Array.from({ length: 9 }, () => callSubject(prisma, first.groupIds[0]))))];
    const group = await prisma.quota.create({ data: { scope: 'group', scopeId: first.groupIds[0]!, tokensPerDay: 1_000n } });
    const global = await prisma.quota.create({ data: { scope: 'global', requestsPerMinute: 1_000 } });
    for (const s of subjects) await prisma.quota.create({ data: { scope: 'user', scopeId: s.userId, tokensPerDay: 300n } });

    // Sixty calls of 50 tokens, six per user: each user's own limit admits six, the group's twenty in all.
    const outcomes = await race(services, subjects.flatMap((subject) => Array.from({ length: 6 }, () => ({ subject, tokens: 50 }))));
    const failures = outcomes.filter((o) => !o.ok && !refusedForQuota(o));
    expect(failures).toEqual([]);
    const admitted = outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
    expect(admitted).toHaveLength(20);
    expect(await counterOf(prisma, group.id, 'day')).toMatchObject({ reservedTokens: 1_000 });

    // Half settle and half release while new calls race in.
    const more = race(services, subjects.map((subject) => ({ subject, tokens: 10 })));
    await Promise.all(admitted.map((o, i) => (i % 2 ? o.reservation.release() : o.reservation.settle({ tokens: 40, cost: 0 }))));
    const late = await more;
    expect(late.filter((o) => !o.ok && !refusedForQuota(o))).toEqual([]);
    for (const o of late) if (o.ok) await o.reservation.release();
    expect(await counterOf(prisma, group.id, 'day')).toMatchObject({ tokens: 400, reservedTokens: 0, requests: 10 });
    expect(await counterOf(prisma, global.id, 'minute')).toMatchObject({ requests: 10, reservedTokens: 0 });
  });
});
