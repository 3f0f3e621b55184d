import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createGroupRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { eventually, startChatServer, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, signInToChat, watchedPage } from './support/browser.js';

// Shared conversations in Chromium against a real server: the owner shares a
// conversation by link from its action menu, a colleague opens the link
// (signing in first), reads the thread with its sources, and continues it in
// their own chat.

const TEXT = fileURLToPath(new URL('../fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url));

describe('shared conversations in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let owner: { id: string; email: string };
  let colleague: { id: string; email: string };
  let assistantId: string;
  const problems: string[][] = [];

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    const admin = await t.login({ role: 'admin' });
    owner = await t.login({ name: 'Olive Owner' });
    colleague = await t.login({ name: 'Cal Colleague' });
    const group = await createGroupRecord(t.server.services.prisma, 'Match analysts', [{ userId: owner.id }, { userId: colleague.id }]);
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Football', groupIds: [group.id] })).body.id;
    expect(await uploadAndWait(t, admin.token, assistantId, TEXT)).toBe('ready');
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(user: { email: string }, path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const watched = await watchedPage(context);
    problems.push(watched.problems);
    const page = watched.page;
    await page.goto(`${t.url}${path}`);
    await signInToChat(page, user.email, DEFAULT_PASSWORD);
    return page;
  }

  it('shares by link; a colleague opens it, reads the thread and continues in their own chat', async () => {
    const page = await signedIn(owner, `/new/${assistantId}`);
    const composer = page.getByRole('textbox', { name: 'Message' });
    t.openai.chat.script({ text: 'Iwan Roberts scored 96 goals for Norwich City [1].' });
    await composer.fill('How many goals did Iwan Roberts score for Norwich City?');
    await composer.press('Enter');
    await page.locator('article.message--assistant').last().getByText('Iwan Roberts scored 96 goals').waitFor();

    await page.getByRole('button', { name: /^Actions for / }).first().click();
    await page.getByRole('menuitem', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: /^Share/ });
    await dialog.getByText('Not shared yet.').waitFor();
    await dialog.getByRole('button', { name: 'Create a link for anyone signed in' }).click();
    const linkBox = dialog.getByRole('textbox', { name: 'Share link' });
    await linkBox.waitFor();
    const link = await linkBox.inputValue();
    expect(link).toMatch(new RegExp(`^${t.url}/s/[A-Za-z0-9_-]{43}$`));
    await dialog.getByText('Anyone signed in with the link').waitFor();
    await screenshot(page, 'web-share-dialog');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The owner goes on; the shared snapshot does not.
    await composer.fill('Who is the club captain?');
    await composer.press('Enter');
    await page.locator('article.message--assistant').last().getByText('You asked: Who is the club captain?').waitFor();

    const viewer = await signedIn(colleague, new URL(link).pathname);
    const shared = viewer.getByRole('region', { name: /^Shared:/ });
    await shared.getByText('Shared by Olive Owner').waitFor();
    await shared.getByText('How many goals did Iwan Roberts score for Norwich City?').waitFor();
    await shared.getByText('Iwan Roberts scored 96 goals').waitFor();
    expect(await shared.getByText('Who is the club captain?').count()).toBe(0);
    // The colleague may use the assistant: the citation [1] opens its passage under the file name.
    const source = shared.getByRole('region', { name: 'Sources' }).locator('details').first();
    await source.locator('summary').getByText('unstructured__norwich-city.txt').waitFor();
    expect(await source.getAttribute('open')).toBeNull();
    await shared.getByRole('button', { name: 'Source 1' }).click();
    await source.locator('blockquote').getByText(/Norwich/).first().waitFor();
    await screenshot(viewer, 'web-shared-conversation');

    await viewer.getByRole('button', { name: 'Continue in my chat' }).click();
    await viewer.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    const copyId = new URL(viewer.url()).pathname.split('/').at(-1)!;
    await viewer.locator('article.message--assistant').getByText('Iwan Roberts scored 96 goals').waitFor();
    const own = viewer.getByRole('textbox', { name: 'Message' });
    await own.fill('And in which seasons?');
    await own.press('Enter');
    await viewer.locator('article.message--assistant').last().getByText('You asked: And in which seasons?').waitFor();
    const copy = await eventually(() => t.server.services.prisma.conversation.findUnique({ where: { id: copyId } }));
    expect(copy).toMatchObject({ userId: colleague.id, assistantId });

    // The link is listed under "Shared with me".
    await viewer.getByRole('button', { name: 'Account: Cal Colleague' }).click();
    await viewer.getByRole('menuitem', { name: 'Shared with me' }).click();
    await viewer.getByRole('list', { name: 'Shared conversations' }).getByText(/Olive Owner shared it by a link you opened/).waitFor();
  });

  it('ran without page errors or CSP violations', () => {
    expect(problems.flat().filter((p) => !/Failed to load resource|status of (401|404)/.test(p))).toEqual([]);
  });
});
