import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { fixture } from '../support/knowledge.js';
import { startChatServer, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, signInToChat, watchedPage } from './support/browser.js';

// First run in Chromium: no model is connected. The administrator signs in to
// the chat app and finds the setup checklist (not "ask an administrator"),
// asks the assistant anyway and gets its best passages, labelled as search
// results not written by a model, with the sources they came from.

const PDF = 'pdf/pdfjs__pdfjs_wikipedia.pdf';
const FILE_NAME = 'pdfjs__pdfjs_wikipedia.pdf';

describe('first run in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let admin: { id: string; email: string; token: string };

  beforeAll(async () => {
    // No DEFAULT_MODEL: nothing to answer with but the knowledge.
    t = await startChatServer({ DEFAULT_MODEL: '' });
    admin = await t.login({ role: 'admin', name: 'Ada Admin', email: 'ada.admin@example.com' });
    const assistant = await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'PDF expert', description: 'Answers from the team wiki.' });
    expect(await uploadAndWait(t, admin.token, assistant.body.id, fixture(PDF), FILE_NAME)).toBe('ready');
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ({ page, problems } = await watchedPage(context));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the administrator the setup checklist, each step linking to the console', async () => {
    await page.goto(t.url);
    await signInToChat(page, admin.email, DEFAULT_PASSWORD);
    const checklist = page.getByRole('region', { name: 'Set up Atrium' });
    await checklist.waitFor();
    const steps = await checklist.locator('[data-step]').evaluateAll((items) => items.map((i) => [i.getAttribute('data-step'), i.getAttribute('data-done')]));
    expect(steps).toEqual([
      ['provider', 'false'],
      ['assistant', 'true'],
      ['knowledge', 'true'],
      ['shared', 'false'],
      ['people', 'false'],
    ]);
    expect(await checklist.getByRole('link', { name: 'Connect a model provider' }).getAttribute('href')).toBe('/admin/#/providers/create');
    expect(await page.getByText(/Ask an administrator/).count()).toBe(0);
    await page.getByRole('button', { name: /PDF expert/ }).getByText('Search mode').waitFor();
    await screenshot(page, 'first-run-checklist');
  });

  it('answers in search mode, labelled as not written by a model, with its sources', async () => {
    await page.getByRole('button', { name: /PDF expert/ }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('What is PDF.js?');
    await composer.press('Enter');
    const answer = page.locator('article.message--assistant').last();
    await answer.getByText('Search results — not written by a model').waitFor();
    await answer.getByRole('region', { name: 'Sources' }).waitFor();
    expect(await answer.getByRole('region', { name: 'Sources' }).getByText(FILE_NAME).count()).toBeGreaterThan(0);
    await answer.getByText('Search results — not written by a model').scrollIntoViewIfNeeded();
    await screenshot(page, 'first-run-search-mode');
    // The [1] before the first passage opens that source.
    await answer.getByRole('button', { name: 'Source 1', exact: true }).click();
    await answer.locator('details[open]').first().waitFor();
    expect(t.openai.chatRequests()).toHaveLength(0);
    expect(problems).toEqual([]);
  });
});
