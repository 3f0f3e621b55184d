import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { html, page as sitePage, robots, startTestSite, type TestSite } from '../websources/support/testSite.js';
import { launchBrowser, screenshot, signInToChat, signInToConsole, watchedPage } from './support/browser.js';

// Web sources in the console (admin/dist) and the chat app (web/dist), built
// first: an admin creates a knowledge base, attaches it to two assistants,
// adds a site served on loopback (allow-listed in the settings) and watches
// the sync reach "done" with its page counts; a member of staff then gets an
// answer citing the page by its title and URL.

const PARKING = 'Visitors park on level two of the north garage and show the ticket at reception.';

describe('web sources in the browser', () => {
  let t: ChatTestServer;
  let site: TestSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let admin: { id: string; email: string; token: string };
  let staff: { id: string; email: string; token: string };
  let groupId: string;
  let baseId: string;
  const assistantIds: string[] = [];

  beforeAll(async () => {
    site = await startTestSite();
    site.routes.set('/robots.txt', robots('User-agent: *\nAllow: /\n'));
    site.routes.set('/', html(sitePage('Visitor guide', '<h1>Visitor guide</h1><p>Welcome to the office.</p><a href="/parking">Parking</a> <a href="/wifi">Wi-Fi</a>')));
    site.routes.set('/parking', html(sitePage('Parking', `<h1>Parking</h1><p>${PARKING}</p>`)));
    site.routes.set('/wifi', html(sitePage('Wi-Fi', '<h1>Wi-Fi</h1><p>The guest network is called Atrium-Guest; its password is at reception.</p>')));

    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin', name: 'Ada Admin' });
    staff = await t.login({ role: 'user', name: 'Sam Staff' });
    groupId = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Front office' })).body.id;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${staff.id}`, { role: 'member' });
    for (const name of ['Reception helper', 'Facilities desk']) {
      assistantIds.push((await t.json(admin.token, 'POST', '/api/v1/assistants', { name, instructions: 'Answer from the knowledge.', groupIds: [groupId] })).body.id);
    }
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    ({ page, problems } = await watchedPage(context));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await site?.close();
  });

  const consoleUrl = (route = '') => `${t.url}/admin/#/${route}`;

  it('creates a base, attaches it to two assistants, adds a site and watches it sync to done', async () => {
    await page.goto(consoleUrl('login'));
    await signInToConsole(page, admin.email, DEFAULT_PASSWORD);
    await page.getByText('Welcome, Ada Admin').waitFor();

    // The site is on loopback, which web sources refuse unless allow-listed in the settings.
    await page.goto(consoleUrl('settings'));
    const settings = page.getByTestId('setting-webSources');
    await settings.getByLabel('Allowed private hosts and ranges').fill('127.0.0.1/32, not a range/99');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.getByText(/host name, an address or a CIDR range/).waitFor();
    await settings.getByLabel('Allowed private hosts and ranges').fill('127.0.0.1/32');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.getByText(/^Saved /).waitFor();
    expect((await t.json(admin.token, 'GET', '/api/v1/settings/webSources')).body.value).toEqual({ allowList: ['127.0.0.1/32'], userAgent: 'AtriumBot' });

    await page.goto(consoleUrl('knowledge-bases/create'));
    await page.getByLabel('Name').fill('Visitor information');
    await page.getByLabel('Readable by (members receive its passages)').click();
    await page.getByRole('option', { name: 'Front office' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/knowledge-bases\/[0-9a-f-]{36}$/);
    baseId = /knowledge-bases\/([0-9a-f-]{36})/.exec(page.url())![1]!;

    for (const assistantId of assistantIds) {
      expect((await t.json(admin.token, 'PUT', `/api/v1/assistants/${assistantId}/knowledge-bases/${baseId}`, {})).status).toBe(200);
    }
    expect((await t.json(admin.token, 'GET', `/api/v1/knowledge-bases/${baseId}`)).body.assistantCount).toBe(2);

    await page.getByRole('tab', { name: 'Web sources' }).click();
    await page.getByText('No web sources yet.').waitFor();
    await page.getByLabel('Web address').fill(site.url('/'));
    await page.getByLabel('Mode').click();
    await page.getByRole('option', { name: 'Site crawl' }).click();
    await page.getByLabel('Depth').fill('2');
    await page.getByLabel('Page limit').fill('10');
    await page.getByRole('button', { name: 'Add web source' }).click();

    const row = page.locator(`[data-testid=web-source-row][data-url="${site.url('/')}"]`);
    await row.waitFor();
    await page.locator(`[data-testid=web-source-row][data-status=done]`).waitFor({ timeout: 90_000 });
    expect(await row.getByTestId('web-source-pages').textContent()).toBe('3');
    expect(await row.getByTestId('web-source-counts').textContent()).toContain('3 / 0 / 0');

    await row.getByRole('button', { name: 'Pages' }).click();
    const pages = page.getByTestId('web-source-page-list');
    await pages.waitFor();
    expect(await pages.textContent()).toContain('Parking');

    // Every page's file is indexed before anyone asks.
    const deadline = Date.now() + 90_000;
    for (;;) {
      const files = (await t.json(admin.token, 'GET', `/api/v1/knowledge-bases/${baseId}/files`)).body.data as { status: string }[];
      if (files.length === 3 && files.every((f) => f.status === 'ready')) break;
      if (Date.now() > deadline) throw new Error(`files not ready: ${JSON.stringify(files)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // The open page list follows the indexing live.
    await page.waitForFunction(() => (document.querySelector('[data-testid=web-source-page-list]')?.textContent?.match(/ready, \d+ chunks/g) ?? []).length === 3, undefined, { timeout: 30_000 });
    await screenshot(page, 'admin-knowledge-base-web-sources');
  });

  it('staff get answers from the synced pages through both assistants, cited by title and URL', async () => {
    const chat = await context.newPage();
    await chat.goto(t.url);
    await signInToChat(chat, staff.email, DEFAULT_PASSWORD);
    for (const name of ['Reception helper', 'Facilities desk']) {
      await chat.getByRole('button', { name: new RegExp(name) }).first().click();
      const composer = chat.getByRole('textbox', { name: 'Message' });
      await composer.fill('Where do visitors park?');
      await composer.press('Enter');
      const answer = chat.locator('article.message--assistant').last();
      const sources = answer.getByRole('region', { name: 'Sources' });
      await sources.waitFor({ timeout: 60_000 });
      expect(await sources.textContent()).toContain(`Parking (${site.url('/parking')})`);
      await chat.getByRole('button', { name: 'New chat' }).first().click();
    }
    // A refused refresh before signing in and the refused allow-list entry are expected; nothing else may go wrong.
    expect(problems.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
  });
});
