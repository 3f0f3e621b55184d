import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { fixture } from '../support/knowledge.js';
import { startChatServer, TEST_API_KEY, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, signInToConsole, watchedPage } from './support/browser.js';

// The admin console (admin/dist, built first) in headless Chromium against a
// real server, worker, database and test model server: what an admin does on
// a first day, then what a manager and a member of staff may see.

const PDF = 'pdf/pdfjs__pdfjs_wikipedia.pdf';
const SCAN = 'ocr/tesseractjs__testocr.png';
const NEW_KEY = 'sk-console-secret-9f8e7d6c5b4a';

describe('admin console in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let admin: { id: string; email: string; token: string };
  let manager: { id: string; email: string; token: string };
  let staff: { id: string; email: string; token: string };
  let assistantId: string;
  let groupId: string;
  /** Every request the console made that the API refused. */
  const refused: string[] = [];

  beforeAll(async () => {
    t = await startChatServer();
    admin = await t.login({ role: 'admin', name: 'Ada Admin' });
    manager = await t.login({ role: 'manager', name: 'Max Manager' });
    staff = await t.login({ role: 'user', name: 'Sam Staff' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Support' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${manager.id}`, { role: 'manager' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    groupId = group.body.id;
    await seedUsage(t, [admin.id, manager.id, staff.id], groupId);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    ({ page, problems } = await watchedPage(context));
    page.on('response', (r) => {
      if (r.status() >= 400) refused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const consoleUrl = (route = '') => `${t.url}/admin/#/${route}`;

  async function signIn(p: Page, email: string, password = DEFAULT_PASSWORD) {
    await p.goto(consoleUrl('login'));
    await signInToConsole(p, email, password);
  }

  it('signs an admin in to a dashboard with usage charts, and keeps the session over a reload', async () => {
    await signIn(page, admin.email);
    await page.getByText('Welcome, Ada Admin').waitFor();
    await page.getByTestId('stat-active-users').getByText('3').waitFor();
    // Seeded calls: 3 today, each 1,000 tokens.
    await page.getByTestId('stat-today').getByText('3', { exact: true }).waitFor();
    await page.getByTestId('stat-today').getByText('3,000 tokens').waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    expect(await page.locator('.recharts-line').count()).toBeGreaterThan(0);
    await page.mouse.move(0, 0);
    await screenshot(page, 'admin-dashboard');

    await page.reload();
    await page.getByText('Welcome, Ada Admin').waitFor();
    expect(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie)).not.toMatch(/eyJ/);
  });

  it('creates an assistant, uploads a PDF and a scanned image, and watches both become ready live', async () => {
    await page.goto(consoleUrl('assistants/create'));
    await page.getByLabel('Name').fill('Support handbook');
    await page.getByLabel('Instructions (system prompt)').fill('Answer from the handbook.');
    await page.getByRole('tab', { name: 'Groups' }).click();
    await page.getByLabel('Groups that may use it').click();
    await page.getByRole('option', { name: 'Support' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/assistants\/[0-9a-f-]{36}$/);
    assistantId = /assistants\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const created = await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantId}`);
    expect(created.body).toMatchObject({ name: 'Support handbook', instructions: 'Answer from the handbook.', groupIds: [expect.any(String)] });

    await page.getByRole('tab', { name: 'Knowledge', exact: true }).click();
    await page.getByText('Drop files here').waitFor();
    const rows = page.getByTestId('file-row');
    // Statuses seen in the page while the files are processed: they arrive over socket.io only.
    const seen = new Set<string>();
    await page.getByTestId('knowledge-file-input').setInputFiles([fixture(PDF), fixture(SCAN)]);
    const deadline = Date.now() + 90_000;
    let shot = false;
    for (;;) {
      const statuses = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status') ?? ''));
      statuses.forEach((s) => seen.add(s));
      // The most telling moment: one file mid-way (or done) while the other is still at work.
      if (!shot && statuses.length === 2 && statuses.some((s) => s !== 'ready') && statuses.some((s) => s !== 'queued')) {
        await screenshot(page, 'admin-knowledge-progress');
        shot = true;
      }
      if (statuses.length === 2 && statuses.every((s) => s === 'ready' || s === 'failed')) break;
      if (Date.now() > deadline) throw new Error(`files not processed in time: ${statuses.join(', ')}`);
      await page.waitForTimeout(20);
    }
    expect(await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-name')}:${e.getAttribute('data-status')}`).sort())).toEqual([
      'pdfjs__pdfjs_wikipedia.pdf:ready',
      'tesseractjs__testocr.png:ready',
    ]);
    // Progress came live: at least one in-between status was shown before "ready".
    expect([...seen].some((s) => ['queued', 'extracting', 'chunking', 'embedding'].includes(s))).toBe(true);
    if (!shot) await screenshot(page, 'admin-knowledge-progress');

    const files = await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantId}/files`);
    expect(files.body.data.map((f: { status: string; chunkCount: number }) => f.status === 'ready' && f.chunkCount > 0)).toEqual([true, true]);
  });

  it('tests retrieval: the passages a question would retrieve, with scores and sources', async () => {
    await page.getByTestId('retrieval-query').fill('PDF.js in Firefox with a table of contents');
    await page.getByRole('button', { name: 'Search' }).click();
    const first = page.getByTestId('passage').first();
    await first.waitFor();
    expect(await first.textContent()).toMatch(/#1 · score \d\.\d{3} · pdfjs__pdfjs_wikipedia\.pdf, page 1/);

    // Text that only OCR of the scanned image can have found.
    await page.getByTestId('retrieval-query').fill('a lot of 12 point text to test the ocr code');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('passage').filter({ hasText: 'tesseractjs__testocr.png' }).first().waitFor();
    await screenshot(page, 'admin-knowledge');
  });

  it('edits an assistant (only what changed is sent), soft-deletes it and restores it', async () => {
    await page.goto(consoleUrl(`assistants/${assistantId}`));
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Model' }).click();
    await page.getByLabel('Temperature').fill('0.3');
    await page.getByRole('tab', { name: 'Retrieval' }).click();
    await page.getByLabel('Top-k passages').fill('8');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Element updated').waitFor();
    const edited = await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantId}`);
    expect(edited.body).toMatchObject({ temperature: 0.3, retrieval: { topK: 8 }, name: 'Support handbook' });
    const update = await t.json(admin.token, 'GET', `/api/v1/audit?action=assistant.update&resourceId=${assistantId}`);
    expect(update.body.total).toBe(1);
    expect(Object.keys(update.body.data[0].newValues).sort()).toEqual(['temperature', 'topK']);

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(/#\/assistants$/);
    expect((await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantId}`)).status).toBe(404);
    await page.getByText('Deleted (restorable)').click();
    await page.getByRole('cell', { name: 'Support handbook' }).waitFor();
    await page.getByRole('button', { name: 'Restore' }).click();
    await page.getByText('Support handbook restored').waitFor();
    expect((await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantId}`)).status).toBe(200);
  });

  it('adds a member to a group', async () => {
    const newcomer = await t.login({ role: 'user', name: 'Nora Newcomer' });
    await page.goto(consoleUrl(`groups/${groupId}`));
    await page.getByRole('cell', { name: staff.email, exact: true }).waitFor();
    await page.getByLabel('Add user').fill(newcomer.email.slice(0, 12));
    await page.getByRole('option', { name: newcomer.email }).click();
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('cell', { name: newcomer.email, exact: true }).waitFor();
    const group = await t.json(admin.token, 'GET', `/api/v1/groups/${groupId}`);
    expect(group.body.members.map((m: { email: string; role: string }) => `${m.email}:${m.role}`)).toContain(`${newcomer.email}:member`);
  });

  it('creates a user with a temporary password that works once', async () => {
    await page.goto(consoleUrl('users/create'));
    await page.locator('input[name=email]').fill('new.hire@example.com');
    await page.getByLabel('Name').fill('New Hire');
    await page.getByRole('button', { name: 'Save' }).click();
    const shown = page.getByTestId('temporary-password');
    await shown.waitFor();
    const password = (await shown.textContent())!.trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    const login = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'new.hire@example.com', password }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(true);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForURL(/#\/users\/[0-9a-f-]{36}$/);

    await page.goto(consoleUrl('users'));
    await page.getByPlaceholder('Search').fill('new.hire');
    await page.getByRole('cell', { name: 'new.hire@example.com' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
  });

  it('creates a global quota and shows current usage against each limit', async () => {
    await page.goto(consoleUrl('quotas/create'));
    await page.getByLabel('Tokens per day').fill('10000');
    await page.getByLabel('Cost per month (USD)').fill('50');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/quotas$/);
    const tokens = page.getByTestId('limit-tokensPerDay');
    await tokens.waitFor();
    expect(await tokens.textContent()).toContain('Tokens / day: 0 of 10,000');
    // A call in flight holds a reservation against the quota until it settles.
    await t.server.services.quotas.reserve({ userId: staff.id, groupIds: [groupId], assistantId }, { tokens: 2500, cost: 0.01 });
    await page.reload();
    await page.getByTestId('limit-tokensPerDay').getByText('Tokens / day: 0 (+2,500 running) of 10,000').waitFor();
    await page.getByTestId('limit-costPerMonth').waitFor();
    await screenshot(page, 'admin-quotas');
  });

  it('adds a write-only API key, shows only its hint, and tests the connection', async () => {
    await page.goto(consoleUrl('providers'));
    await page.getByRole('cell', { name: /sk-…/ }).first().waitFor();
    await page.getByRole('row').nth(1).click();
    await page.getByTestId('api-keys').waitFor();
    await page.getByLabel('Label').fill('Console key');
    await page.getByLabel('API key (write-only)').fill(NEW_KEY);
    await page.getByRole('button', { name: 'Add key' }).click();
    await page.getByRole('cell', { name: 'Console key', exact: true }).waitFor();
    expect(await page.getByLabel('API key (write-only)').inputValue()).toBe('');
    const html = await page.content();
    expect(html).not.toContain(NEW_KEY);
    expect(html).not.toContain(TEST_API_KEY);
    expect(html).toContain('sk-…');

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByTestId('connection-result').getByText(/Connected in \d+ ms/).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await screenshot(page, 'admin-providers');
  });

  it('shows usage by model and by day as charts and a table', async () => {
    await page.goto(consoleUrl('usage'));
    await page.getByTestId('usage-table').getByRole('cell', { name: 'test-chat-model' }).first().waitFor();
    await page.locator('.recharts-line').first().waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await page.getByLabel('By').click();
    await page.getByRole('option', { name: 'user' }).click();
    await page.getByTestId('usage-table').getByRole('cell', { name: staff.email }).waitFor();
    await page.getByRole('listbox').waitFor({ state: 'detached' });
    await screenshot(page, 'admin-usage');
  });

  it('saves settings and shows the API’s validation errors under the field', async () => {
    await page.goto(consoleUrl('settings'));
    const branding = page.getByTestId('setting-branding');
    await branding.getByLabel('Product name').fill('Acme Assist');
    await branding.getByLabel('Accent colour (#rrggbb)').fill('orange');
    await branding.getByRole('button', { name: 'Save' }).click();
    await branding.getByText('must be a colour like #1f6feb').waitFor();
    await branding.getByLabel('Accent colour (#rrggbb)').fill('#ff8800');
    await branding.getByRole('button', { name: 'Save' }).click();
    await branding.getByText(/^Saved /).waitFor();
    const saved = await t.json(admin.token, 'GET', '/api/v1/settings/branding');
    expect(saved.body.value).toEqual({ name: 'Acme Assist', accentColor: '#ff8800' });

    // New chunking defaults leave the files indexed so far out of date; the console says so and re-indexes them.
    const rag = page.getByTestId('setting-rag.defaults');
    await rag.getByLabel('Chunk size (tokens)').fill('300');
    await rag.getByRole('button', { name: 'Save' }).click();
    await rag.getByText(/^Saved /).waitFor();
    expect((await t.json(admin.token, 'GET', '/api/v1/settings/rag.defaults')).body.value).toEqual({ topK: 5, similarityThreshold: null, chunkSize: 300, chunkOverlap: 50 });
    const outdated = page.getByTestId('outdated-chunking');
    await outdated.getByText(/indexed with other chunking than the current settings give/).waitFor();
    const before = (await t.json(admin.token, 'GET', '/api/v1/settings/rag.defaults/outdated-files')).body.total;
    expect(before).toBeGreaterThan(0);
    await outdated.getByRole('button', { name: `Re-index ${before}` }).click();
    await outdated.waitFor({ state: 'detached' });
    expect((await t.json(admin.token, 'GET', '/api/v1/settings/rag.defaults/outdated-files')).body.total).toBe(0);
  });

  it('lists the audit entries of what was done, shows old and new values, and verifies the chain', async () => {
    await page.goto(consoleUrl('audit'));
    for (const action of ['assistant.create', 'knowledge.upload', 'user.create', 'quota.create', 'apiKey.create', 'settings.update']) {
      const audited = await t.json(admin.token, 'GET', `/api/v1/audit?action=${action}&actorId=${admin.id}`);
      expect({ action, total: audited.body.total > 0 }).toEqual({ action, total: true });
    }
    await page.getByRole('cell', { name: 'user.create' }).first().waitFor();
    await page.getByRole('cell', { name: 'quota.create' }).first().waitFor();

    await page.getByRole('button', { name: 'Verify chain' }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Chain intact: [\d,]+ entries verified/);
    await screenshot(page, 'admin-audit');
    await page.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('cell', { name: 'quota.create' }).first().click();
    const values = page.getByTestId('audit-values');
    await values.waitFor();
    expect(await values.getByRole('row', { name: /tokensPerDay/ }).textContent()).toContain('10000');
  });

  it('ran without console errors or CSP violations, and asked the API only for what it allows', () => {
    // Refusals the browser logs are checked by URL below.
    expect(problems.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
    // Expected: the silent refresh on the first visit, before anyone signed in, and the invalid colour.
    expect(refused).toEqual(['401 POST /api/v1/auth/refresh', '400 PUT /api/v1/settings/branding']);
  });

  it('shows a manager only what their role allows, and the API refuses the rest anyway', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const { page: p } = await watchedPage(ctx);
    const managerRefused: string[] = [];
    p.on('response', (r) => {
      if (r.status() >= 400) managerRefused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    await signIn(p, manager.email);
    await p.getByText('Welcome, Max Manager').waitFor();
    const menu = p.locator('.RaSidebar-fixed, .RaMenu-root').first();
    await menu.getByText('Assistants').waitFor();
    for (const visible of ['Assistants', 'Groups', 'Usage', 'Settings']) expect({ visible, n: await menu.getByText(visible, { exact: true }).count() }).toEqual({ visible, n: 1 });
    for (const hidden of ['Users', 'Providers & keys', 'Models & prices', 'Quotas', 'Audit log']) expect({ hidden, n: await menu.getByText(hidden, { exact: true }).count() }).toEqual({ hidden, n: 0 });
    // The managed group's assistant is listed and editable; settings are read-only.
    await p.goto(consoleUrl('assistants'));
    await p.getByRole('cell', { name: 'Support handbook' }).waitFor();
    await p.goto(consoleUrl('settings'));
    await p.getByText('Only administrators can change these settings.').waitFor();
    expect(await p.getByRole('button', { name: 'Save' }).count()).toBe(0);
    // A hidden screen reached by its address shows no data; the API refuses it.
    await p.goto(consoleUrl('users'));
    expect(await p.getByRole('cell', { name: admin.email }).count()).toBe(0);
    expect((await t.json(manager.token, 'GET', '/api/v1/users')).status).toBe(403);
    expect((await t.json(manager.token, 'PUT', '/api/v1/settings/registration', { policy: 'invite' })).status).toBe(403);
    // The console itself never asked for anything the manager may not have.
    expect(managerRefused.filter((r) => !r.startsWith('401 POST /api/v1/auth/refresh'))).toEqual([]);
    await ctx.close();
  });

  it('tells staff plainly that the console is not for them', async () => {
    const ctx = await browser.newContext();
    const { page: p } = await watchedPage(ctx);
    await signIn(p, staff.email);
    await p.getByTestId('not-allowed').getByText('The Atrium console is for administrators and managers.').waitFor();
    // Signed out again: reloading does not bring a session back.
    await p.goto(consoleUrl(''));
    await p.getByRole('button', { name: 'Sign in' }).waitFor();
    await ctx.close();
  });
});

/** Model calls over the last two weeks (three of them today), so the dashboard and reports have something to show. */
async function seedUsage(t: ChatTestServer, userIds: string[], groupId: string) {
  const prisma = t.server.services.prisma;
  const model = await prisma.model.findFirstOrThrow({ where: { kind: 'chat' } });
  const rows = [];
  for (let day = 13; day >= 1; day--) {
    for (const [i, userId] of userIds.entries()) {
      rows.push({
        userId,
        groupIds: [groupId],
        modelId: model.id,
        modelName: model.name,
        promptTokens: 400 + day * 37 + i * 90,
        completionTokens: 150 + day * 11,
        cost: ((400 + day * 50) / 1e6) * (i + 1),
        createdAt: new Date(Date.now() - day * 86_400_000),
      });
    }
  }
  for (const userId of userIds) rows.push({ userId, groupIds: [groupId], modelId: model.id, modelName: model.name, promptTokens: 700, completionTokens: 300, cost: 0.002, createdAt: new Date() });
  await prisma.usageLog.createMany({ data: rows });
}
