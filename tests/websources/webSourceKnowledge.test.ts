import { createGroupRecord } from '../support/factories.js';
import { eventually, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { engineName } from '../support/testDb.js';
import { enqueueDueWebSources } from '../../server/src/websources/knowledge/webSourceSyncJob.js';
import { html, page, redirect, robots, startTestSite, status, type TestSite } from './support/testSite.js';

// Web sources wired into a knowledge base: the `websource.sync` job run by the
// server's own worker against a real site on loopback, pages indexed through
// the ingestion pipeline and found by retrieval, changes and removals
// propagated, the allow-list setting, and who may touch the routes.

const EXPENSES_OLD = 'Meal receipts must be submitted within thirty days through the expenses portal.';
const EXPENSES_NEW = 'Meal receipts are now due within fourteen days and are scanned with the mobile app.';
const TRAVEL = 'Train journeys over four hours may be booked in first class with the manager’s approval.';
const LEGAL = 'The company archive keeps signed contracts for ten years in the basement vault.';

describe(`web sources in a knowledge base (${engineName})`, () => {
  let t: ChatTestServer;
  let site: TestSite;
  let admin: { id: string; token: string };
  let hana: { id: string; token: string };
  let otto: { id: string; token: string };
  let sam: { id: string; token: string };
  const ids = { hr: '', base: '', assistant: '', source: '' };

  const sources = (baseId = ids.base) => `/api/v1/knowledge-bases/${baseId}/web-sources`;
  const prisma = () => t.server.services.prisma;

  async function syncedSource(token: string, sourceId: string, after = 0) {
    return eventually(
      async () => (await t.json(token, 'GET', `${sources()}/${sourceId}`)).body,
      (s) => (s.status === 'done' || s.status === 'failed') && Date.parse(s.lastSyncFinishedAt ?? 0) > after,
      90_000,
    );
  }

  async function filesReady(baseId: string) {
    return eventually(
      async () => (await t.json(admin.token, 'GET', `/api/v1/knowledge-bases/${baseId}/files`)).body.data as { id: string; name: string; status: string }[],
      (files) => files.length > 0 && files.every((f) => f.status === 'ready' || f.status === 'failed'),
      90_000,
    );
  }

  async function search(query: string) {
    const res = await t.json(hana.token, 'POST', `/api/v1/assistants/${ids.assistant}/search`, { query, topK: 10 });
    expect(res.status).toBe(200);
    return res.body.results as { fileName: string; section: string | null; text: string }[];
  }

  async function baseChunkTexts(): Promise<string> {
    return (await prisma().chunk.findMany({ where: { knowledgeBaseId: ids.base }, select: { text: true } })).map((c) => c.text).join('\n');
  }

  beforeAll(async () => {
    site = await startTestSite();
    site.routes.set('/robots.txt', robots('User-agent: *\nDisallow: /legal\n'));
    site.routes.set('/', html(page('Staff handbook', '<h1>Staff handbook</h1><p>Start here.</p><a href="/expenses">Expenses</a> <a href="/travel">Travel</a> <a href="/legal/archive">Archive</a>')));
    site.routes.set('/expenses', html(page('Expenses policy', `<h1>Expenses</h1><h2>Meals</h2><p>${EXPENSES_OLD}</p>`)));
    site.routes.set('/travel', html(page('Travel policy', `<h1>Travel</h1><p>${TRAVEL}</p>`)));
    site.routes.set('/legal/archive', html(page('Archive', `<p>${LEGAL}</p>`)));

    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin' });
    hana = await t.login({ role: 'manager', name: 'Hana HR' });
    otto = await t.login({ role: 'manager', name: 'Otto Other' });
    sam = await t.login({ role: 'user', name: 'Sam Staff' });
    ids.hr = (await createGroupRecord(prisma(), 'HR', [{ userId: hana.id, role: 'manager' }, { userId: sam.id }])).id;
    const base = await t.json(hana.token, 'POST', '/api/v1/knowledge-bases', { name: 'Intranet', maintainerGroupIds: [ids.hr], readerGroupIds: [ids.hr] });
    expect(base.status).toBe(201);
    ids.base = base.body.id;
    const assistant = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Helpdesk', groupIds: [ids.hr], knowledgeBases: [{ knowledgeBaseId: ids.base }] });
    expect(assistant.status).toBe(201);
    ids.assistant = assistant.body.id;
    // The test site is on loopback: refused unless allow-listed.
    const saved = await t.json(admin.token, 'PUT', '/api/v1/settings/webSources', { allowList: ['127.0.0.1/32'], userAgent: 'AtriumBot' });
    expect(saved.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await site?.close();
  });

  it('crawls the site into the base: pages become files, indexed and cited with title and URL, robots.txt respected', async () => {
    const created = await t.json(hana.token, 'POST', sources(), { url: site.url('/'), mode: 'site', maxDepth: 2, maxPages: 20, scheduleMinutes: 1440 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'queued', mode: 'site', maxDepth: 2, scheduleMinutes: 1440 });
    ids.source = created.body.id;

    const done = await syncedSource(hana.token, ids.source);
    expect(done.status).toBe('done');
    expect(done.lastSync).toEqual({ added: 3, changed: 0, removed: 0, unchanged: 0, errors: 0 });
    expect(done.pageCount).toBe(3);
    expect(site.requestsTo('/legal/archive')).toHaveLength(0);

    const pages = await t.json(hana.token, 'GET', `${sources()}/${ids.source}/pages`);
    expect(pages.body.data.map((p: { url: string }) => p.url).sort()).toEqual([site.url('/'), site.url('/expenses'), site.url('/travel')]);

    const files = await filesReady(ids.base);
    expect(files.map((f) => f.status)).toEqual(['ready', 'ready', 'ready']);
    expect(files.map((f) => f.name)).toContain(`Expenses policy (${site.url('/expenses')})`);

    const hits = await search('When are meal receipts due?');
    const top = hits.find((h) => h.text.includes('Meal receipts'));
    expect(top).toBeDefined();
    expect(top!.fileName).toBe(`Expenses policy (${site.url('/expenses')})`);
    expect(top!.section).toBe('Expenses > Meals');
    expect(await baseChunkTexts()).not.toContain('basement vault');
  }, 180_000);

  it('re-indexes a changed page (the old text is no longer retrievable) and leaves unchanged ones alone', async () => {
    const before = await prisma().webSourcePage.findFirstOrThrow({ where: { webSourceId: ids.source, url: site.url('/expenses') } });
    const travelFile = await prisma().webSourcePage.findFirstOrThrow({ where: { webSourceId: ids.source, url: site.url('/travel') }, include: { knowledgeFile: true } });
    site.routes.set('/expenses', html(page('Expenses policy', `<h1>Expenses</h1><h2>Meals</h2><p>${EXPENSES_NEW}</p>`)));
    const startedAt = Date.now();
    const queued = await t.json(hana.token, 'POST', `${sources()}/${ids.source}/sync`);
    expect(queued.status).toBe(202);

    const done = await syncedSource(hana.token, ids.source, startedAt);
    expect(done.lastSync).toEqual({ added: 0, changed: 1, removed: 0, unchanged: 2, errors: 0 });
    const after = await prisma().webSourcePage.findFirstOrThrow({ where: { id: before.id } });
    expect(after.knowledgeFileId).toBe(before.knowledgeFileId); // same file, new content
    expect(after.contentHash).not.toBe(before.contentHash);

    await eventually(async () => (await prisma().knowledgeFile.findUniqueOrThrow({ where: { id: before.knowledgeFileId! } })).status, (s) => s === 'ready', 90_000);
    const texts = await baseChunkTexts();
    expect(texts).toContain('fourteen days');
    expect(texts).not.toContain('thirty days');
    const hits = await search('meal receipts thirty days expenses portal');
    expect(hits.map((h) => h.text).join('\n')).not.toContain('thirty days');
    expect(hits.map((h) => h.text).join('\n')).toContain('fourteen days');
    // The unchanged page kept its file as it was (not re-processed).
    const travelAfter = await prisma().knowledgeFile.findUniqueOrThrow({ where: { id: travelFile.knowledgeFileId! } });
    expect(travelAfter.processedAt).toEqual(travelFile.knowledgeFile!.processedAt);
  }, 180_000);

  it('removes a page gone upstream with its file and chunks', async () => {
    const travel = await prisma().webSourcePage.findFirstOrThrow({ where: { webSourceId: ids.source, url: site.url('/travel') } });
    site.routes.set('/travel', status(404));
    const startedAt = Date.now();
    expect((await t.json(hana.token, 'POST', `${sources()}/${ids.source}/sync`)).status).toBe(202);
    const done = await syncedSource(hana.token, ids.source, startedAt);
    expect(done.lastSync).toMatchObject({ removed: 1, added: 0 });
    expect(await prisma().knowledgeFile.count({ where: { id: travel.knowledgeFileId! } })).toBe(0);
    expect(await prisma().chunk.count({ where: { fileId: travel.knowledgeFileId! } })).toBe(0);
    expect(await prisma().webSourcePage.count({ where: { id: travel.id } })).toBe(0);
    expect(await baseChunkTexts()).not.toContain('first class');
  }, 180_000);

  it('refuses private addresses without the allow-list: the sync fails as a whole and changes nothing', async () => {
    const filesBefore = await prisma().knowledgeFile.findMany({ where: { knowledgeBaseId: ids.base }, select: { id: true, sha256: true }, orderBy: { id: 'asc' } });
    expect((await t.json(admin.token, 'PUT', '/api/v1/settings/webSources', { allowList: [], userAgent: 'AtriumBot' })).status).toBe(200);
    try {
      const startedAt = Date.now();
      await t.json(hana.token, 'POST', `${sources()}/${ids.source}/sync`);
      const failed = await syncedSource(hana.token, ids.source, startedAt);
      expect(failed.status).toBe('failed');
      expect(failed.lastError).toMatch(/refused/);
      expect(await prisma().knowledgeFile.findMany({ where: { knowledgeBaseId: ids.base }, select: { id: true, sha256: true }, orderBy: { id: 'asc' } })).toEqual(filesBefore);
    } finally {
      await t.json(admin.token, 'PUT', '/api/v1/settings/webSources', { allowList: ['127.0.0.1/32'], userAgent: 'AtriumBot' });
    }
    // With 127.0.0.1/32 allowed, a redirect from the site to another private address is still refused.
    site.routes.set('/moved', redirect('http://10.0.0.1/secret'));
    const moved = await t.json(hana.token, 'POST', sources(), { url: site.url('/moved'), mode: 'page' });
    expect(moved.status).toBe(201);
    const outcome = await syncedSource(hana.token, moved.body.id);
    expect(outcome.pageCount).toBe(0);
    expect(outcome.lastError ?? '').toMatch(/10\.0\.0\.1.*refused|refused.*10\.0\.0\.1/);
    expect(await prisma().knowledgeFile.count({ where: { webPage: { webSourceId: moved.body.id } } })).toBe(0);
  }, 180_000);

  it('indexes a page again when someone deleted its file', async () => {
    const expenses = await prisma().webSourcePage.findFirstOrThrow({ where: { webSourceId: ids.source, url: site.url('/expenses') } });
    expect((await t.json(hana.token, 'DELETE', `/api/v1/knowledge-bases/${ids.base}/files/${expenses.knowledgeFileId}`)).status).toBe(204);
    expect((await prisma().webSourcePage.findUniqueOrThrow({ where: { id: expenses.id } })).knowledgeFileId).toBeNull();
    const startedAt = Date.now();
    await t.json(hana.token, 'POST', `${sources()}/${ids.source}/sync`);
    const done = await syncedSource(hana.token, ids.source, startedAt);
    expect(done.lastSync).toMatchObject({ added: 1, removed: 0, errors: 0 });
    const again = await prisma().webSourcePage.findUniqueOrThrow({ where: { id: expenses.id } });
    expect(again.knowledgeFileId).not.toBeNull();
    await eventually(async () => (await prisma().knowledgeFile.findUniqueOrThrow({ where: { id: again.knowledgeFileId! } })).status, (s) => s === 'ready', 90_000);
    expect(await baseChunkTexts()).toContain('fourteen days');
  }, 180_000);

  it('queues the sources whose schedule is due, and only those', async () => {
    const longAgo = new Date(Date.now() - 2 * 24 * 3600_000);
    await prisma().webSource.updateMany({ where: { knowledgeBaseId: ids.base }, data: { lastSyncFinishedAt: longAgo } });
    // The redirecting source syncs on demand only (schedule 0); the site is daily.
    const queued = await enqueueDueWebSources(t.server.services);
    expect(queued).toBe(1);
    const done = await syncedSource(hana.token, ids.source, longAgo.getTime());
    expect(done.status).toBe('done');
    const onDemand = await prisma().webSource.findFirstOrThrow({ where: { knowledgeBaseId: ids.base, scheduleMinutes: 0 } });
    expect(onDemand.lastSyncFinishedAt).toEqual(longAgo);
    // Just synced: not due again.
    expect(await enqueueDueWebSources(t.server.services)).toBe(0);
  }, 180_000);

  it('never runs two syncs of one source at once', async () => {
    await Promise.all([1, 2, 3].map(() => t.json(hana.token, 'POST', `${sources()}/${ids.source}/sync`)));
    const pending = await prisma().$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM jobs WHERE dedupe_key = $1 AND status IN ('queued', 'running')`,
      `websource:${ids.source}`,
    );
    expect(pending[0]!.n).toBeLessThanOrEqual(1);
    await syncedSource(hana.token, ids.source, Date.now() - 1);
  }, 180_000);

  it('lets only the base maintainers see and change its sources, and validates input', async () => {
    // Staff never open the console (403); a manager of other groups does not see the base at all (404).
    for (const [who, expected] of [[sam, 403], [otto, 404]] as const) {
      expect((await t.json(who.token, 'GET', sources())).status).toBe(expected);
      expect((await t.json(who.token, 'GET', `${sources()}/${ids.source}/pages`)).status).toBe(expected);
      expect((await t.json(who.token, 'POST', `${sources()}/${ids.source}/sync`)).status).toBe(expected);
      expect((await t.json(who.token, 'DELETE', `${sources()}/${ids.source}`)).status).toBe(expected);
      expect((await t.json(who.token, 'POST', sources(), { url: site.url('/'), mode: 'page' })).status).toBe(expected);
    }
    // A reader who is a manager but not a maintainer may read the base, not its sources.
    const reader = await t.login({ role: 'manager', name: 'Rita Reader' });
    await prisma().groupMembership.create({ data: { userId: reader.id, groupId: ids.hr, role: 'member' } });
    expect((await t.json(reader.token, 'GET', `/api/v1/knowledge-bases/${ids.base}`)).status).toBe(200);
    expect((await t.json(reader.token, 'GET', sources())).status).toBe(403);
    expect((await t.json(reader.token, 'GET', `${sources()}/${ids.source}`)).status).toBe(404);
    const list = await t.json(hana.token, 'GET', sources());
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);

    const bad = await t.json(hana.token, 'POST', sources(), { url: 'ftp://example.com/', mode: 'site', maxPages: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const badScheme = await t.json(hana.token, 'POST', sources(), { url: 'ftp://example.com/', mode: 'page' });
    expect(badScheme.status).toBe(400);
    const duplicate = await t.json(hana.token, 'POST', sources(), { url: site.url('/'), mode: 'site' });
    expect(duplicate.status).toBe(409);
    const badSetting = await t.json(admin.token, 'PUT', '/api/v1/settings/webSources', { allowList: ['not a range/99'], userAgent: 'AtriumBot' });
    expect(badSetting.status).toBe(400);
  }, 60_000);

  it('audits create, sync and delete without page content, and deleting a source removes its files and chunks', async () => {
    const fileIds = (await prisma().webSourcePage.findMany({ where: { webSourceId: ids.source } })).map((p) => p.knowledgeFileId!);
    expect(fileIds.length).toBeGreaterThan(0);
    expect((await t.json(hana.token, 'DELETE', `${sources()}/${ids.source}`)).status).toBe(204);
    expect(await prisma().knowledgeFile.count({ where: { id: { in: fileIds } } })).toBe(0);
    expect(await prisma().chunk.count({ where: { fileId: { in: fileIds } } })).toBe(0);

    const entries = await prisma().auditLog.findMany({ where: { resourceId: ids.source } });
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['websource.create', 'websource.sync_requested', 'websource.sync', 'websource.delete']));
    const stored = JSON.stringify(entries.map((e) => [e.oldValues, e.newValues]));
    expect(stored).not.toContain('fourteen days');
    expect(stored).not.toContain('Meal receipts');
  }, 60_000);
});
