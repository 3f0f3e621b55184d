import { parse } from 'csv-parse/sync';
import { UsageRecorder } from '../../server/src/governance/quotas/index.js';
import { createGroupRecord, createUserRecord } from '../support/factories.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Reports bucket days in QUOTA_TIME_ZONE; Berlin (UTC+1 in November) makes the
// difference visible: 23:30Z on the 9th is already the 10th there.
describe(`usage records and reports (${engineName})`, () => {
  let t: TestApp;
  let token: string;
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_PER_MINUTE: '1000', QUOTA_TIME_ZONE: 'Europe/Berlin' });
    token = (await t.signIn({ role: 'admin' })).token;
    const alice = await createUserRecord(t.prisma, { name: 'Alice', email: 'alice@example.com' });
    const bob = await createUserRecord(t.prisma, { name: '=HYPERLINK("http://evil")', email: 'bob@example.com' });
    const sales = await createGroupRecord(t.prisma, 'Sales', [{ userId: alice.id }, { userId: bob.id }]);
    const legal = await createGroupRecord(t.prisma, 'Legal', [{ userId: alice.id }]);
    const assistant = await t.prisma.assistant.create({ data: { name: 'Helpdesk' } });
    const provider = await t.prisma.provider.create({ data: { name: 'p', kind: 'openai_compatible' } });
    const model = await t.prisma.model.create({ data: { providerId: provider.id, name: 'gpt-x', displayName: 'GPT X', inputPricePerMTok: '2', outputPricePerMTok: '8' } });
    const conversation = await t.prisma.conversation.create({ data: { userId: alice.id, assistantId: assistant.id } });
    Object.assign(ids, { alice: alice.id, bob: bob.id, sales: sales.id, legal: legal.id, assistant: assistant.id, model: model.id, conversation: conversation.id });
    const log = (userId: string, groupIds: string[], at: string, prompt: number, completion: number, cost: string, outcome: 'success' | 'error' = 'success') =>
      ({ userId, groupIds, assistantId: assistant.id, conversationId: conversation.id, modelId: model.id, modelName: 'gpt-x', promptTokens: prompt, completionTokens: completion, cost, outcome, createdAt: new Date(at) });
    await t.prisma.usageLog.createMany({
      data: [
        log(alice.id, [sales.id, legal.id], '2026-11-09T22:59:59Z', 100, 10, '0.10'), // Berlin: 9 Nov 23:59:59
        log(alice.id, [sales.id, legal.id], '2026-11-09T23:30:00Z', 200, 20, '0.20'), // Berlin: 10 Nov
        log(bob.id, [sales.id], '2026-11-10T12:00:00Z', 1000, 100, '1.00'),
        log(bob.id, [sales.id], '2026-11-12T12:00:00Z', 5, 0, '0', 'error'),
        log(alice.id, [], '2026-11-13T00:00:00Z', 7, 7, '0.07'), // outside 10..12 Nov
      ],
    });
  });
  afterAll(() => t.close());

  it('records a model call with the user’s groups at the time and the cost rounded to the price table’s precision', async () => {
    const recorder = new UsageRecorder(t.services.db);
    await recorder.record({ userId: ids.alice!, assistantId: ids.assistant!, conversationId: ids.conversation!, messageId: null, modelId: ids.model!, modelName: 'gpt-x', promptTokens: 12, completionTokens: 3, cost: 0.0000484, latencyMs: 812.6, outcome: 'stopped' });
    const row = await t.prisma.usageLog.findFirstOrThrow({ where: { outcome: 'stopped' } });
    expect(row.groupIds.sort()).toEqual([ids.sales, ids.legal].sort());
    expect(row).toMatchObject({ promptTokens: 12, completionTokens: 3, latencyMs: 813, modelName: 'gpt-x' });
    expect(row.cost.toString()).toBe('0.000048');
    await t.prisma.usageLog.delete({ where: { id: row.id } });
  });

  it('sums per user, group, assistant and model over whole days in the configured zone', async () => {
    const byUser = (await t.http.get('/api/v1/usage/summary?from=2026-11-10&to=2026-11-12&groupBy=user').set(auth()).expect(200)).body;
    expect(byUser.range).toEqual({ from: '2026-11-10', to: '2026-11-12', timeZone: 'Europe/Berlin' });
    expect(byUser.totals).toEqual({ requests: 3, errors: 1, promptTokens: 1205, completionTokens: 120, totalTokens: 1325, cost: 1.2 });
    expect(byUser.rows).toEqual([
      { key: ids.bob, name: '=HYPERLINK("http://evil")', detail: 'bob@example.com', requests: 2, errors: 1, promptTokens: 1005, completionTokens: 100, totalTokens: 1105, cost: 1 },
      { key: ids.alice, name: 'Alice', detail: 'alice@example.com', requests: 1, errors: 0, promptTokens: 200, completionTokens: 20, totalTokens: 220, cost: 0.2 },
    ]);
    const byGroup = (await t.http.get('/api/v1/usage/summary?from=2026-11-10&to=2026-11-12&groupBy=group').set(auth()).expect(200)).body;
    expect(byGroup.rows.map((r: { name: string; cost: number; requests: number }) => [r.name, r.requests, r.cost])).toEqual([['Sales', 3, 1.2], ['Legal', 1, 0.2]]);
    const byModel = (await t.http.get('/api/v1/usage/summary?from=2026-11-09&to=2026-11-09&groupBy=model').set(auth()).expect(200)).body;
    expect(byModel.rows).toEqual([expect.objectContaining({ key: 'gpt-x', name: 'GPT X', requests: 1, cost: 0.1 })]);
    const byAssistant = (await t.http.get('/api/v1/usage/summary?from=2026-11-01&to=2026-11-30&groupBy=assistant').set(auth()).expect(200)).body;
    expect(byAssistant.rows).toEqual([expect.objectContaining({ key: ids.assistant, name: 'Helpdesk', requests: 5, cost: 1.37 })]);
  });

  it('gives one zero-filled point per day per key', async () => {
    const res = await t.http.get('/api/v1/usage/timeseries?from=2026-11-09&to=2026-11-12&groupBy=user&interval=day').set(auth()).expect(200);
    expect(res.body.dates).toEqual(['2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12']);
    const series = Object.fromEntries(res.body.series.map((s: { name: string; points: { date: string; requests: number; cost: number }[] }) => [s.name, s.points.map((p) => [p.date, p.requests, p.cost])]));
    expect(series).toEqual({
      Alice: [['2026-11-09', 1, 0.1], ['2026-11-10', 1, 0.2], ['2026-11-11', 0, 0], ['2026-11-12', 0, 0]],
      '=HYPERLINK("http://evil")': [['2026-11-09', 0, 0], ['2026-11-10', 1, 1], ['2026-11-11', 0, 0], ['2026-11-12', 1, 0]],
    });
    const top1 = await t.http.get('/api/v1/usage/timeseries?from=2026-11-09&to=2026-11-12&groupBy=group&limit=1').set(auth()).expect(200);
    expect(top1.body.series.map((s: { name: string }) => s.name)).toEqual(['Sales']);
  });

  it('ranks top users and refuses bad ranges', async () => {
    const top = await t.http.get('/api/v1/usage/top-users?from=2026-11-01&to=2026-11-30&limit=1').set(auth()).expect(200);
    expect(top.body.rows).toEqual([expect.objectContaining({ key: ids.bob, cost: 1 })]);
    await t.http.get('/api/v1/usage/summary?from=2026-11-12&to=2026-11-10').set(auth()).expect(400);
    await t.http.get('/api/v1/usage/summary?from=2025-01-01&to=2026-11-10').set(auth()).expect(400);
    await t.http.get('/api/v1/usage/summary?from=yesterday').set(auth()).expect(400);
    await t.http.get('/api/v1/usage/summary?groupBy=password').set(auth()).expect(400);
    const defaults = await t.http.get('/api/v1/usage/summary').set(auth()).expect(200);
    expect(defaults.body.range.timeZone).toBe('Europe/Berlin');
  });

  it('shows a manager only the calls of members of the groups they manage, and staff nothing', async () => {
    const manager = await t.signIn({ role: 'manager' });
    await t.prisma.groupMembership.create({ data: { userId: manager.user.id, groupId: ids.legal!, role: 'manager' } });
    await t.prisma.groupMembership.create({ data: { userId: manager.user.id, groupId: ids.sales!, role: 'member' } });
    const as = { Authorization: `Bearer ${manager.token}` };
    const byUser = (await t.http.get('/api/v1/usage/summary?from=2026-11-01&to=2026-11-30&groupBy=user').set(as).expect(200)).body;
    expect(byUser.totals).toMatchObject({ requests: 2, cost: 0.3 });
    expect(byUser.rows.map((r: { name: string }) => r.name)).toEqual(['Alice']);
    const byGroup = (await t.http.get('/api/v1/usage/summary?from=2026-11-01&to=2026-11-30&groupBy=group').set(as).expect(200)).body;
    expect(byGroup.rows.map((r: { name: string; requests: number }) => [r.name, r.requests])).toEqual([['Legal', 2]]);
    const series = (await t.http.get('/api/v1/usage/timeseries?from=2026-11-09&to=2026-11-10&groupBy=group').set(as).expect(200)).body;
    expect(series.series.map((x: { name: string; points: { requests: number }[] }) => [x.name, x.points.map((p) => p.requests)])).toEqual([['Legal', [1, 1]]]);
    const top = (await t.http.get('/api/v1/usage/top-users?from=2026-11-01&to=2026-11-30').set(as).expect(200)).body;
    expect(top.rows.map((r: { key: string }) => r.key)).toEqual([ids.alice]);
    const csv = await t.http.get('/api/v1/usage/export.csv?from=2026-11-01&to=2026-11-30').set(as).buffer(true).parse((r, done) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString('utf8')));
      r.on('end', () => done(null, text));
    }).expect(200);
    const rows = parse(csv.body as string, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.userEmail, r.groups])).toEqual([['alice@example.com', 'Legal'], ['alice@example.com', 'Legal']]);

    const staff = await t.signIn({ role: 'user' });
    await t.http.get('/api/v1/usage/summary').set({ Authorization: `Bearer ${staff.token}` }).expect(403);
  });

  it('exports the records of the range as CSV with formula cells escaped', async () => {
    const res = await t.http.get('/api/v1/usage/export.csv?from=2026-11-10&to=2026-11-12').set(auth()).buffer(true).parse((r, done) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString('utf8')));
      r.on('end', () => done(null, text));
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="usage-2026-11-10-to-2026-11-12.csv"');
    const rows = parse(res.body as string, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.time, r.userEmail, r.outcome, r.costUsd])).toEqual([
      ['2026-11-09T23:30:00.000Z', 'alice@example.com', 'success', '0.200000'],
      ['2026-11-10T12:00:00.000Z', 'bob@example.com', 'success', '1.000000'],
      ['2026-11-12T12:00:00.000Z', 'bob@example.com', 'error', '0.000000'],
    ]);
    expect(rows[0]).toMatchObject({ userName: 'Alice', groups: expect.stringMatching(/^(Sales; Legal|Legal; Sales)$/), assistant: 'Helpdesk', model: 'gpt-x', promptTokens: '200', completionTokens: '20' });
    expect(rows[1]!.userName).toBe(`'=HYPERLINK("http://evil")`);
  });
});
