import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { fixture } from '../support/knowledge.js';
import { startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, signInToChat, signInToConsole, watchedPage } from './support/browser.js';

// Knowledge bases in the console (admin/dist) and the chat app (web/dist),
// built first: an admin creates a base, uploads a file and watches it become
// ready, attaches the base to two assistants; a member of staff asks each and
// sees the passage cited.

const TEXT = 'misc/unstructured__norwich-city.txt';
const FILE_NAME = 'unstructured__norwich-city.txt';
const QUESTION = 'Which clubs did Iwan Roberts play for?';

describe('knowledge bases in the browser', () => {
  let t: ChatTestServer;
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
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin', name: 'Ada Admin' });
    staff = await t.login({ role: 'user', name: 'Sam Staff' });
    groupId = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Football fans' })).body.id;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${staff.id}`, { role: 'member' });
    for (const name of ['Club historian', 'Match-day helper']) {
      assistantIds.push((await t.json(admin.token, 'POST', '/api/v1/assistants', { name, instructions: 'Answer from the knowledge.', groupIds: [groupId] })).body.id);
    }
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    ({ page, problems } = await watchedPage(context));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const consoleUrl = (route = '') => `${t.url}/admin/#/${route}`;

  it('creates a base in the console, uploads a file and watches it become ready', async () => {
    await page.goto(consoleUrl('login'));
    await signInToConsole(page, admin.email, DEFAULT_PASSWORD);
    await page.getByText('Welcome, Ada Admin').waitFor();

    await page.goto(consoleUrl('knowledge-bases/create'));
    await page.getByLabel('Name').fill('Norwich City history');
    await page.getByLabel('Readable by (members receive its passages)').click();
    await page.getByRole('option', { name: 'Football fans' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/knowledge-bases\/[0-9a-f-]{36}$/);
    baseId = /knowledge-bases\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const created = await t.json(admin.token, 'GET', `/api/v1/knowledge-bases/${baseId}`);
    expect(created.body).toMatchObject({ name: 'Norwich City history', language: 'english', readerGroupIds: [groupId] });

    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByLabel('Upload into folder').fill('clubs/norwich');
    await page.getByText('Drop files here').waitFor();
    await page.getByTestId('knowledge-file-input').setInputFiles([fixture(TEXT)]);
    const row = page.locator(`[data-testid=file-row][data-name="${FILE_NAME}"][data-status=ready]`);
    await row.waitFor({ timeout: 90_000 });
    expect(await row.textContent()).toContain('in clubs/norwich');
    await screenshot(page, 'admin-knowledge-base-files');

    // Moved and re-tagged afterwards, without an upload.
    await row.getByRole('button', { name: `Folder and tags of ${FILE_NAME}` }).click();
    const dialog = page.getByRole('dialog', { name: `Folder and tags of ${FILE_NAME}` });
    await dialog.getByLabel('Folder').fill('clubs/east-anglia');
    await dialog.getByLabel('Tags').fill('history, football');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('in clubs/east-anglia · #history · #football').waitFor();
    const files = await t.json(admin.token, 'GET', `/api/v1/knowledge-bases/${baseId}/files`);
    expect(files.body.data).toEqual([expect.objectContaining({ name: FILE_NAME, folder: 'clubs/east-anglia', tags: ['history', 'football'], status: 'ready' })]);
  });

  it('attaches the base to two assistants, and staff see its passage cited by each', async () => {
    // One through the assistant form, one through the API.
    await page.goto(consoleUrl(`assistants/${assistantIds[0]}`));
    await page.getByRole('tab', { name: 'Knowledge bases' }).click();
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('combobox', { name: 'Knowledge base', exact: true }).click();
    await page.getByRole('option', { name: 'Norwich City history' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expectEventually(async () => (await t.json(admin.token, 'GET', `/api/v1/assistants/${assistantIds[0]}`)).body.knowledgeBases, [{ knowledgeBaseId: baseId, tags: [] }]);
    expect((await t.json(admin.token, 'PUT', `/api/v1/assistants/${assistantIds[1]}/knowledge-bases/${baseId}`, {})).status).toBe(200);

    const chat = await context.newPage();
    await chat.goto(t.url);
    await signInToChat(chat, staff.email, DEFAULT_PASSWORD);
    for (const name of ['Club historian', 'Match-day helper']) {
      await chat.getByRole('button', { name: new RegExp(name) }).first().click();
      const composer = chat.getByRole('textbox', { name: 'Message' });
      await composer.fill(QUESTION);
      await composer.press('Enter');
      const answer = chat.locator('article.message--assistant').last();
      const sources = answer.getByRole('region', { name: 'Sources' });
      await sources.waitFor({ timeout: 60_000 });
      expect(await sources.locator('li').first().textContent()).toContain(FILE_NAME);
      await chat.getByRole('button', { name: 'New chat' }).first().click();
    }
    // A refused refresh before signing in is expected; nothing else may go wrong on the page.
    expect(problems.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
  });
});

async function expectEventually(read: () => Promise<unknown>, expected: unknown, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (JSON.stringify(value) === JSON.stringify(expected) || Date.now() > deadline) return expect(value).toEqual(expected);
    await new Promise((r) => setTimeout(r, 100));
  }
}
