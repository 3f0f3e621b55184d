import express from 'express';
import request from 'supertest';
import { createLogger } from '../../server/src/lib/logger.js';
import { errorHandler } from '../../server/src/http/middleware/errorHandler.js';
import { createGroupRecord, createUserRecord } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

describe(`quota administration and own usage over HTTP (${engineName})`, () => {
  let t: TestApp;
  let admin: { user: { id: string; email: string }; token: string };
  const auth = (token = admin.token) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000' });
    admin = await t.signIn({ role: 'admin' });
  });
  afterAll(() => t.close());

  it('creates one quota per scope, checks the scope exists, and audits every change', async () => {
    const group = await createGroupRecord(t.prisma, 'Sales');
    const global = await t.http.post('/api/v1/quotas').set(auth()).send({ scope: 'global', requestsPerMinute: 100, costPerMonth: 250.5 }).expect(201);
    expect(global.body).toMatchObject({ scope: 'global', scopeId: null, scopeName: null, requestsPerMinute: 100, costPerMonth: 250.5, tokensPerDay: null, alertThresholdPct: 80 });
    expect(global.body.usage.map((u: { limit: string }) => u.limit)).toEqual(['requestsPerMinute', 'costPerMonth']);
    expect((await t.http.post('/api/v1/quotas').set(auth()).send({ scope: 'global' }).expect(409)).body.error.code).toBe('conflict');

    const created = await t.http.post('/api/v1/quotas').set(auth()).send({ scope: 'group', scopeId: group.id, tokensPerDay: 50_000, alertThresholdPct: 90 }).expect(201);
    expect(created.body).toMatchObject({ scopeName: 'Sales', tokensPerDay: 50_000, alertThresholdPct: 90 });
    const entry = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'quota.create', resourceId: created.body.id } });
    expect(entry).toMatchObject({ actorId: admin.user.id, newValues: expect.objectContaining({ scope: 'group', scopeId: group.id, tokensPerDay: 50_000 }) });

    const bad = [
      { scope: 'global', scopeId: group.id },
      { scope: 'group' },
      { scope: 'group', scopeId: '00000000-0000-4000-8000-000000000000' },
      { scope: 'user', scopeId: group.id },
      { scope: 'planet', tokensPerDay: 5 },
      { scope: 'assistant', scopeId: group.id, tokensPerDay: -1 },
      { scope: 'global', costPerDay: 0.0000001 },
      { scope: 'global', costPerMonth: -1 },
      { scope: 'global', alertThresholdPct: 0 },
      { scope: 'global', unknown: true },
    ];
    for (const body of bad) {
      const res = await t.http.post('/api/v1/quotas').set(auth()).send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'validation_failed' });
    }
  });

  it('updates limits (null removes one), shows the scope’s current use, and deletes with an audit trail', async () => {
    const user = await createUserRecord(t.prisma, { name: 'Quota Person', email: 'quota.person@example.com' });
    const assistant = await t.prisma.assistant.create({ data: { name: 'Helper' } });
    const created = await t.http.post('/api/v1/quotas').set(auth()).send({ scope: 'user', scopeId: user.id, tokensPerDay: 1000, requestsPerHour: 10 }).expect(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({ scopeName: 'Quota Person', scopeDetail: 'quota.person@example.com' });

    const reservation = await t.services.quotas.reserve({ userId: user.id, groupIds: [], assistantId: assistant.id }, { tokens: 300, cost: 0 });
    const viewed = await t.http.get(`/api/v1/quotas/${id}`).set(auth()).expect(200);
    const tokens = viewed.body.usage.find((u: { limit: string }) => u.limit === 'tokensPerDay');
    expect(tokens).toMatchObject({ limitValue: 1000, used: 0, reserved: 300, remaining: 700, usedPct: 30, period: 'day' });
    expect(Date.parse(tokens.resetsAt)).toBeGreaterThan(Date.now());
    await reservation.settle({ tokens: 120, cost: 0 });
    const settled = (await t.http.get(`/api/v1/quotas/${id}`).set(auth()).expect(200)).body.usage;
    expect(settled).toEqual(expect.arrayContaining([expect.objectContaining({ limit: 'tokensPerDay', used: 120, reserved: 0, remaining: 880 }), expect.objectContaining({ limit: 'requestsPerHour', used: 1, remaining: 9 })]));

    const patched = await t.http.patch(`/api/v1/quotas/${id}`).set(auth()).send({ requestsPerHour: null, costPerDay: 2 }).expect(200);
    expect(patched.body).toMatchObject({ requestsPerHour: null, costPerDay: 2, tokensPerDay: 1000 });
    const update = await t.prisma.auditLog.findFirstOrThrow({ where: { action: 'quota.update', resourceId: id } });
    expect(update.oldValues).toMatchObject({ requestsPerHour: 10, costPerDay: null });
    expect(update.newValues).toMatchObject({ requestsPerHour: null, costPerDay: 2 });
    await t.http.patch(`/api/v1/quotas/${id}`).set(auth()).send({}).expect(400);
    await t.http.patch(`/api/v1/quotas/${id}`).set(auth()).send({ scope: 'global' }).expect(400);

    const list = await t.http.get('/api/v1/quotas?scope=user').set(auth()).expect(200);
    expect(list.body.data.map((q: { id: string }) => q.id)).toContain(id);
    expect(list.body.data.every((q: { scope: string }) => q.scope === 'user')).toBe(true);

    await t.http.delete(`/api/v1/quotas/${id}`).set(auth()).expect(204);
    await t.http.get(`/api/v1/quotas/${id}`).set(auth()).expect(404);
    await t.http.delete(`/api/v1/quotas/${id}`).set(auth()).expect(404);
    expect(await t.prisma.auditLog.findFirst({ where: { action: 'quota.delete', resourceId: id } })).toMatchObject({ oldValues: expect.objectContaining({ tokensPerDay: 1000 }) });
    expect(await t.prisma.quotaCounter.count({ where: { quotaId: id } })).toBe(0);
  });

  it('lists alerts newest first with the scope’s name', async () => {
    const group = await createGroupRecord(t.prisma, 'Support');
    const user = await createUserRecord(t.prisma);
    await t.prisma.groupMembership.create({ data: { userId: user.id, groupId: group.id } });
    const assistant = await t.prisma.assistant.create({ data: { name: 'Alerting' } });
    const q = await t.prisma.quota.create({ data: { scope: 'group', scopeId: group.id, tokensPerDay: 100n, tokensPerMonth: 1000n, alertThresholdPct: 50 } });
    const r = await t.services.quotas.reserve({ userId: user.id, groupIds: [group.id], assistantId: assistant.id }, { tokens: 10, cost: 0 });
    await r.settle({ tokens: 60, cost: 0 });
    await (await t.services.quotas.reserve({ userId: user.id, groupIds: [group.id], assistantId: assistant.id }, { tokens: 10, cost: 0 })).settle({ tokens: 500, cost: 0 });
    const res = await t.http.get(`/api/v1/quota-alerts?quotaId=${q.id}`).set(auth()).expect(200);
    expect(res.body.total).toBe(2);
    expect(res.body.data.map((a: { limit: string }) => a.limit)).toEqual(['tokensPerMonth', 'tokensPerDay']);
    expect(res.body.data[0]).toMatchObject({ scope: 'group', scopeName: 'Support', usedPct: 56 });
  });

  it('answers an exhausted quota with 429, the limit, what is left, when it resets and Retry-After', async () => {
    const user = await createUserRecord(t.prisma);
    const assistant = await t.prisma.assistant.create({ data: { name: 'Limited' } });
    await t.prisma.quota.create({ data: { scope: 'assistant', scopeId: assistant.id, requestsPerMinute: 1 } });
    // A stand-in for the chat route: reserve, and let the error handler answer.
    const app = express();
    app.post('/call', async (_req, res) => {
      await t.services.quotas.reserve({ userId: user.id, groupIds: [], assistantId: assistant.id }, { tokens: 10, cost: 0 });
      res.status(204).end();
    });
    app.use(errorHandler(createLogger('silent')));
    const first = await request(app).post('/call');
    // The minute may roll over between the two calls; then the second is admitted too.
    const second = await request(app).post('/call');
    const refused = first.status === 429 ? first : second.status === 429 ? second : await request(app).post('/call');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: 'quota_exceeded',
      message: expect.stringMatching(/requests per minute/),
      details: { scope: 'assistant', scopeId: assistant.id, limit: 'requestsPerMinute', limitValue: 1, used: 1, remaining: 0, resetsAt: expect.any(String) },
    });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(Math.abs(Date.parse(refused.body.error.details.resetsAt) - Date.now() - retryAfter * 1000)).toBeLessThan(2000);
  });

  it('shows staff their allowance under every quota that governs them, and their own totals', async () => {
    const staff = await t.signIn({ role: 'user' });
    const mine = await createGroupRecord(t.prisma, 'Mine');
    const theirs = await createGroupRecord(t.prisma, 'Theirs');
    await t.prisma.groupMembership.create({ data: { userId: staff.user.id, groupId: mine.id } });
    await t.prisma.quota.create({ data: { scope: 'group', scopeId: mine.id, tokensPerMonth: 5000n } });
    await t.prisma.quota.create({ data: { scope: 'group', scopeId: theirs.id, tokensPerMonth: 7000n } });
    await t.prisma.quota.create({ data: { scope: 'user', scopeId: staff.user.id, costPerDay: '1.5' } });
    await t.prisma.usageLog.createMany({
      data: [
        { userId: staff.user.id, modelName: 'm', promptTokens: 100, completionTokens: 50, cost: '0.25', outcome: 'success' },
        { userId: staff.user.id, modelName: 'm', promptTokens: 10, completionTokens: 0, cost: '0', outcome: 'error' },
        { userId: admin.user.id, modelName: 'm', promptTokens: 999, completionTokens: 999, cost: '9', outcome: 'success' },
      ],
    });
    const res = await t.http.get('/api/v1/me/usage').set(auth(staff.token)).expect(200);
    const limits = res.body.limits as { scope: string; scopeName: string | null; limit: string; limitValue: number; remaining: number }[];
    expect(limits.map((l) => `${l.scope}:${l.scopeName}:${l.limit}`).sort()).toEqual(['global:null:costPerMonth', 'global:null:requestsPerMinute', 'group:Mine:tokensPerMonth', 'user:Test User:costPerDay']);
    expect(limits.find((l) => l.limit === 'costPerDay')).toMatchObject({ limitValue: 1.5, remaining: 1.5 });
    expect(res.body.today).toMatchObject({ requests: 2, tokens: 160, cost: 0.25 });
    expect(res.body.thisMonth).toMatchObject({ requests: 2, tokens: 160, cost: 0.25 });
    expect(res.body.timeZone).toBe('UTC');
    await t.http.get('/api/v1/quotas').set(auth(staff.token)).expect(403);
    await t.http.get('/api/v1/me/usage').expect(401);
  });
});
