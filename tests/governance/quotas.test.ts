import type { PrismaClient } from '../../server/src/db/database.js';
import { AppError } from '../../server/src/errors/appError.js';
import type { QuotaService, QuotaSubject } from '../../server/src/governance/quotas/index.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';
import { callSubject, counterOf, manualClock, quotaService } from './quotaSupport.js';

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe(`quota reservations (${engineName})`, () => {
  let t: TestDatabase;
  let prisma: PrismaClient;
  const clock = manualClock('2026-11-22T10:00:00Z');
  let quotas: QuotaService;
  let subject: QuotaSubject;

  beforeAll(async () => {
    t = await createTestDatabase();
    prisma = t.db.prisma;
    quotas = quotaService(t.db, clock);
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    clock.set('2026-11-22T10:00:00Z');
    await prisma.quota.deleteMany();
    await prisma.quotaReservation.deleteMany();
    subject = await callSubject(prisma);
  });

  it('takes nothing when no quota applies', async () => {
    const r = await quotas.reserve(subject, { tokens: 1_000_000, cost: 100 });
    await r.settle({ tokens: 5, cost: 0.1 });
    expect(await prisma.quotaCounter.count()).toBe(0);
    expect(await prisma.quotaReservation.count()).toBe(0);
  });

  it('reserves the estimate, then settles to the real usage, idempotently', async () => {
    const q = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, tokensPerDay: 1000n, costPerDay: '1.00' } });
    const r = await quotas.reserve(subject, { tokens: 300, cost: 0.03 });
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ requests: 1, tokens: 0, reservedTokens: 300, reservedCost: 0.03, periodStart: '2026-11-22T00:00:00.000Z' });
    expect(await counterOf(prisma, q.id, 'month')).toMatchObject({ requests: 1, reservedTokens: 300, periodStart: '2026-11-01T00:00:00.000Z' });
    expect(await prisma.quotaReservation.count()).toBe(1);

    await r.settle({ tokens: 120, cost: 0.012345 });
    await r.settle({ tokens: 999, cost: 9 });
    await r.release();
    for (const period of ['minute', 'hour', 'day', 'month']) {
      expect(await counterOf(prisma, q.id, period)).toMatchObject({ requests: 1, tokens: 120, cost: 0.012345, reservedTokens: 0, reservedCost: 0 });
    }
    expect(await prisma.quotaReservation.count()).toBe(0);
  });

  it('releases a failed call: no tokens, no cost, no request counted', async () => {
    const q = await prisma.quota.create({ data: { scope: 'global', requestsPerMinute: 1, tokensPerDay: 500n } });
    const r = await quotas.reserve(subject, { tokens: 400, cost: 0 });
    await r.release();
    await r.release();
    await r.settle({ tokens: 50, cost: 0 });
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ requests: 0, tokens: 0, reservedTokens: 0 });
    // The minute's single request is free again.
    const again = await quotas.reserve(subject, { tokens: 400, cost: 0 });
    await again.settle({ tokens: 10, cost: 0 });
  });

  it('checks every applicable scope at once: all or nothing', async () => {
    const user = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, tokensPerDay: 10_000n } });
    const group = await prisma.quota.create({ data: { scope: 'group', scopeId: subject.groupIds[0]!, tokensPerDay: 100n } });
    const assistant = await prisma.quota.create({ data: { scope: 'assistant', scopeId: subject.assistantId, requestsPerHour: 100 } });
    const first = await quotas.reserve(subject, { tokens: 80, cost: 0 });
    await first.settle({ tokens: 100, cost: 0 });
    const error = await refusal(quotas.reserve(subject, { tokens: 80, cost: 0 }));
    expect(error.code).toBe('quota_exceeded');
    expect(error.status).toBe(429);
    expect(error.details).toEqual({ scope: 'group', scopeId: subject.groupIds[0], limit: 'tokensPerDay', limitValue: 100, used: 100, remaining: 0, resetsAt: '2026-11-23T00:00:00.000Z' });
    expect(error.message).toMatch(/daily tokens.*0 left.*2026-11-23T00:00:00.000Z/);
    // Nothing was taken from the scopes that still had room.
    expect(await counterOf(prisma, user.id, 'day')).toMatchObject({ requests: 1, tokens: 100, reservedTokens: 0 });
    expect(await counterOf(prisma, assistant.id, 'hour')).toMatchObject({ requests: 1 });
    expect(await counterOf(prisma, group.id, 'day')).toMatchObject({ requests: 1 });
    // Another user of the same group is refused too; one outside it is not.
    const colleague = await callSubject(prisma, subject.groupIds[0]);
    expect((await refusal(quotas.reserve(colleague, { tokens: 1, cost: 0 }))).details).toMatchObject({ scope: 'group' });
    await (await quotas.reserve(await callSubject(prisma), { tokens: 1, cost: 0 })).release();
  });

  it('counts requests per minute and per hour in fixed UTC windows', async () => {
    await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, requestsPerMinute: 2, requestsPerHour: 3 } });
    clock.set('2026-11-22T10:15:30Z');
    await quotas.reserve(subject, { tokens: 0, cost: 0 });
    await quotas.reserve(subject, { tokens: 0, cost: 0 });
    const perMinute = await refusal(quotas.reserve(subject, { tokens: 0, cost: 0 }));
    expect(perMinute.details).toMatchObject({ limit: 'requestsPerMinute', limitValue: 2, used: 2, remaining: 0, resetsAt: '2026-11-22T10:16:00.000Z' });
    clock.set('2026-11-22T10:16:00Z');
    await quotas.reserve(subject, { tokens: 0, cost: 0 });
    const perHour = await refusal(quotas.reserve(subject, { tokens: 0, cost: 0 }));
    expect(perHour.details).toMatchObject({ limit: 'requestsPerHour', limitValue: 3, used: 3, resetsAt: '2026-11-22T11:00:00.000Z' });
    clock.set('2026-11-22T11:00:00Z');
    await quotas.reserve(subject, { tokens: 0, cost: 0 });
  });

  it('admits a call while anything is left, so a limit is passed by less than one estimate', async () => {
    const q = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, tokensPerDay: 1000n, costPerMonth: '0.50' } });
    await (await quotas.reserve(subject, { tokens: 0, cost: 0 })).settle({ tokens: 950, cost: 0.2 });
    const last = await quotas.reserve(subject, { tokens: 400, cost: 0.1 });
    expect((await refusal(quotas.reserve(subject, { tokens: 1, cost: 0 }))).details).toMatchObject({ limit: 'tokensPerDay', used: 1350, remaining: 0 });
    await last.settle({ tokens: 60, cost: 0.35 });
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ tokens: 1010, reservedTokens: 0 });
    // The next day starts afresh for tokens, but the month's cost is spent (0.55 of 0.50).
    clock.set('2026-11-23T00:00:00Z');
    const monthly = await refusal(quotas.reserve(subject, { tokens: 1, cost: 0.01 }));
    expect(monthly.details).toMatchObject({ limit: 'costPerMonth', limitValue: 0.5, used: 0.55, remaining: 0, resetsAt: '2026-12-01T00:00:00.000Z' });
  });

  it('audits a refused reservation once per quota, limit and period, however often the client retries', async () => {
    const q = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, requestsPerHour: 1 } });
    await quotas.reserve(subject, { tokens: 0, cost: 0 });
    for (let i = 0; i < 4; i++) await refusal(quotas.reserve(subject, { tokens: 0, cost: 0 }));
    const entries = await prisma.auditLog.findMany({ where: { action: 'quota.exceeded', resourceId: q.id } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: subject.userId, resourceType: 'quota' });
    expect(entries[0]!.newValues).toMatchObject({ limit: 'requestsPerHour', remaining: 0, assistantId: subject.assistantId });
    clock.set('2026-11-22T11:00:00Z');
    await quotas.reserve(subject, { tokens: 0, cost: 0 });
    await refusal(quotas.reserve(subject, { tokens: 0, cost: 0 }));
    expect(await prisma.auditLog.count({ where: { action: 'quota.exceeded', resourceId: q.id } })).toBe(2);
  });

  it('records an alert once per period when settled use crosses the threshold, and audits it', async () => {
    const q = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, tokensPerDay: 1000n, tokensPerMonth: 100_000n, alertThresholdPct: 80 } });
    await (await quotas.reserve(subject, { tokens: 900, cost: 0 })).settle({ tokens: 790, cost: 0 });
    expect(await prisma.quotaAlert.count()).toBe(0);
    await (await quotas.reserve(subject, { tokens: 100, cost: 0 })).settle({ tokens: 20, cost: 0 });
    await (await quotas.reserve(subject, { tokens: 100, cost: 0 })).settle({ tokens: 50, cost: 0 });
    const alerts = await prisma.quotaAlert.findMany({ where: { quotaId: q.id } });
    expect(alerts).toEqual([expect.objectContaining({ quotaId: q.id, limitName: 'tokensPerDay', usedPct: 81, periodStart: new Date('2026-11-22T00:00:00Z') })]);
    const audited = await prisma.auditLog.findMany({ where: { action: 'quota.alert', resourceId: q.id } });
    expect(audited).toHaveLength(1);
    expect(audited[0]!.newValues).toMatchObject({ limit: 'tokensPerDay', usedPct: 81, thresholdPct: 80, limitValue: 1000 });
    clock.set('2026-11-23T08:00:00Z');
    await (await quotas.reserve(subject, { tokens: 100, cost: 0 })).settle({ tokens: 850, cost: 0 });
    expect((await prisma.quotaAlert.findMany({ where: { quotaId: q.id }, orderBy: { periodStart: 'asc' } })).map((a) => a.periodStart.toISOString())).toEqual(['2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z']);
  });

  it('hands back the estimate of a reservation abandoned mid-call after the TTL, and still counts a late settlement', async () => {
    const q = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, tokensPerDay: 1000n } });
    const abandoned = await quotas.reserve(subject, { tokens: 700, cost: 0 });
    const fresh = await quotas.reserve(subject, { tokens: 200, cost: 0 });
    clock.advance(9 * 60_000);
    expect(await quotas.sweepExpired()).toBe(0);
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ reservedTokens: 900 });
    clock.advance(2 * 60_000);
    const inFlight = await quotas.reserve(subject, { tokens: 50, cost: 0 });
    expect(await quotas.sweepExpired()).toBe(2);
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ requests: 3, reservedTokens: 50 });
    expect(await prisma.quotaReservation.count()).toBe(1);
    // The call was alive after all: its real use still counts, its estimate is not taken twice.
    await abandoned.settle({ tokens: 300, cost: 0 });
    await fresh.release();
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ requests: 2, tokens: 300, reservedTokens: 50 });
    await inFlight.settle({ tokens: 40, cost: 0 });
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ tokens: 340, reservedTokens: 0 });
  });

  it('blocks a scope whose limit is 0, and prunes rate windows two days old in the sweep', async () => {
    const q = await prisma.quota.create({ data: { scope: 'assistant', scopeId: subject.assistantId, requestsPerHour: 0 } });
    expect((await refusal(quotas.reserve(subject, { tokens: 1, cost: 0 }))).details).toMatchObject({ limit: 'requestsPerHour', limitValue: 0, remaining: 0 });
    const old = new Date('2026-11-20T09:00:00Z');
    await prisma.quotaCounter.createMany({ data: ['minute', 'hour', 'day'].map((period) => ({ quotaId: q.id, period, periodStart: old, requests: 1 })) });
    await quotas.sweepExpired();
    expect((await prisma.quotaCounter.findMany({ where: { quotaId: q.id, periodStart: old } })).map((c) => c.period)).toEqual(['day']);
  });

  it('keeps a deleted quota from breaking a call in flight', async () => {
    const q = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, tokensPerDay: 1000n } });
    const r = await quotas.reserve(subject, { tokens: 100, cost: 0 });
    await prisma.quota.delete({ where: { id: q.id } });
    await r.settle({ tokens: 10, cost: 0 });
    expect(await prisma.quotaCounter.count()).toBe(0);
  });

  it('places day and month boundaries in the configured time zone', async () => {
    const berlin = quotaService(t.db, clock, 'Europe/Berlin');
    const q = await prisma.quota.create({ data: { scope: 'user', scopeId: subject.userId, tokensPerDay: 100n } });
    clock.set('2026-12-31T22:59:59Z'); // 23:59:59 on Dec 31 in Berlin (UTC+1)
    await (await berlin.reserve(subject, { tokens: 0, cost: 0 })).settle({ tokens: 100, cost: 0 });
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ tokens: 100, periodStart: '2026-12-30T23:00:00.000Z' });
    expect(await counterOf(prisma, q.id, 'month')).toMatchObject({ periodStart: '2026-11-30T23:00:00.000Z' });
    expect((await refusal(berlin.reserve(subject, { tokens: 1, cost: 0 }))).details).toMatchObject({ resetsAt: '2026-12-31T23:00:00.000Z' });
    clock.set('2026-12-31T23:00:00Z'); // 00:00:00 on Jan 1: a new day, month and year
    await (await berlin.reserve(subject, { tokens: 0, cost: 0 })).settle({ tokens: 5, cost: 0 });
    expect(await counterOf(prisma, q.id, 'day')).toMatchObject({ tokens: 5, periodStart: '2026-12-31T23:00:00.000Z' });
    expect(await counterOf(prisma, q.id, 'month')).toMatchObject({ tokens: 5, periodStart: '2026-12-31T23:00:00.000Z' });
  });
});
