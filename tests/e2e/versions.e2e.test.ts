import fs from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { isTitleRequest, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, signInToChat, watchedPage } from './support/browser.js';

// Answer versions in the chat app (web/dist, built first), in headless
// Chromium against a real server, database and test model server: the
// header takes the generated title live, a regenerated answer and an edited
// question keep their earlier versions behind ‹ n / m › switches that work by
// mouse and keyboard, and the version chosen survives a reload, carries the
// next question and is what the export holds.

describe('answer versions in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let staff: { id: string; email: string; token: string };

  beforeAll(async () => {
    t = await startChatServer();
    const admin = await t.login({ role: 'admin' });
    staff = await t.login({ role: 'user', name: 'Vera Versions', email: 'vera.versions@example.com' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Writers' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Style guide', instructions: 'You answer questions about house style.', groupIds: [group.body.id] });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, problems } = await watchedPage(context));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const composer = () => page.getByRole('textbox', { name: 'Message' });
  const answers = () => page.locator('article.message--assistant');
  const questions = () => page.locator('article.message--user');
  // An answer shows as plain text until the lazily loaded Markdown renderer arrives (slower after a reload).
  const thread = async () =>
    (await page.locator('article.message .message__bubble, article.message--assistant .markdown, article.message--assistant .plain').allTextContents()).map((s) => s.trim());
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
  const switchOf = (message: Locator) => message.getByRole('group', { name: /^Versions of this/ });

  async function ask(question: string, reply: string) {
    t.openai.chat.script({ text: reply });
    await composer().fill(question);
    await composer().press('Enter');
    await answers().last().getByText(reply).waitFor();
    await page.getByRole('button', { name: 'Send message' }).waitFor();
  }

  it('shows the generated title in the header as soon as it is made', async () => {
    await page.goto(t.url);
    await signInToChat(page, staff.email, DEFAULT_PASSWORD);
    await page.getByRole('button', { name: /Style guide/ }).click();
    // A model that takes a second over the title and a slow network: the thread refetched when the
    // answer ends, read before the title was made, arrives after it (the race the header used to lose).
    t.openai.chat.intercept = (call) => (isTitleRequest(call) ? { text: 'A generated title', firstTokenDelayMs: 1000 } : undefined);
    const thread = /\/api\/v1\/conversations\/[0-9a-f-]{36}$/;
    let slow = 0;
    await page.route(thread, async (route) => {
      slow++;
      try {
        const response = await route.fetch();
        await new Promise((resolve) => setTimeout(resolve, 2500));
        await route.fulfill({ response });
      } catch {
        // Cancelled by the app meanwhile.
      } finally {
        slow--;
      }
    });
    await ask('Do we write e-mail or email?', 'Email, without the hyphen.');
    const header = page.getByRole('banner').getByRole('heading', { level: 1 });
    // No reload: the title arrives over the socket (conversation:updated).
    await header.getByText('A generated title').waitFor();
    await page.getByRole('navigation', { name: 'Conversations' }).getByText('A generated title').waitFor();
    // ...and stays once the slow refetches have landed.
    await page.waitForFunction(() => document.title === 'A generated title · Atrium');
    while (slow > 0) await page.waitForTimeout(100);
    await page.waitForTimeout(300);
    expect(await header.textContent()).toBe('A generated title');
    expect(await page.title()).toBe('A generated title · Atrium');
    await page.unroute(thread);
  });

  it('regenerates an answer and switches back to the first version with its follow-up, by mouse', async () => {
    await ask('And in headings?', 'Also email in headings.');
    t.openai.chat.script({ text: 'Email; the hyphen is dated.' });
    await answers().first().getByRole('button', { name: 'Regenerate answer' }).click();
    await answers().first().getByText('Email; the hyphen is dated.').waitFor();
    // The new version is shown alone: the follow-up belongs to the first one.
    await switchOf(answers().first()).getByText('2 / 2').waitFor();
    expect(await thread()).toEqual(['Do we write e-mail or email?', 'Email; the hyphen is dated.']);
    expect(await switchOf(answers().first()).getByRole('button', { name: 'Next version' }).isDisabled()).toBe(true);

    await switchOf(answers().first()).getByRole('button', { name: 'Previous version' }).click();
    await switchOf(answers().first()).getByText('1 / 2').waitFor();
    expect(await thread()).toEqual(['Do we write e-mail or email?', 'Email, without the hyphen.', 'And in headings?', 'Also email in headings.']);
    expect(await switchOf(answers().first()).getByRole('button', { name: 'Previous version' }).isDisabled()).toBe(true);
    // The first question has one version: no switch.
    expect(await switchOf(questions().first()).count()).toBe(0);
    // The focus stays on the switch (the button still usable at this end).
    expect(await focused()).toBe('Next version');
    await screenshot(page, 'web-versions');
  });

  it('moves between versions with the keyboard alone', async () => {
    await page.keyboard.press('Enter');
    await switchOf(answers().first()).getByText('2 / 2').waitFor();
    expect(await thread()).toEqual(['Do we write e-mail or email?', 'Email; the hyphen is dated.']);
    expect(await focused()).toBe('Previous version');
    await page.keyboard.press('Space');
    await switchOf(answers().first()).getByText('1 / 2').waitFor();
    // The arrow keys step too while the switch has the focus.
    await page.keyboard.press('ArrowRight');
    await switchOf(answers().first()).getByText('2 / 2').waitFor();
    await page.keyboard.press('ArrowLeft');
    await switchOf(answers().first()).getByText('1 / 2').waitFor();
    // Tab reaches the switch like any button (the disabled one is skipped).
    await answers().first().getByRole('button', { name: 'Copy answer' }).focus();
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Next version');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).not.toBe('Previous version');
    expect(await thread()).toHaveLength(4);
  });

  it('keeps the chosen version over a reload, and continues it with the next question', async () => {
    await page.reload();
    await switchOf(answers().first()).getByText('1 / 2').waitFor();
    expect(await thread()).toEqual(['Do we write e-mail or email?', 'Email, without the hyphen.', 'And in headings?', 'Also email in headings.']);
    await page.getByRole('banner').getByRole('heading', { level: 1, name: 'A generated title' }).waitFor();

    await ask('And in URLs?', 'Lowercase email in URLs too.');
    expect(await thread()).toEqual([
      'Do we write e-mail or email?',
      'Email, without the hyphen.',
      'And in headings?',
      'Also email in headings.',
      'And in URLs?',
      'Lowercase email in URLs too.',
    ]);
  });

  it('switches between versions of an edited question, and exports the version shown', async () => {
    const followUp = questions().nth(1);
    await followUp.getByRole('button', { name: 'Edit and resend' }).click();
    t.openai.chat.script({ text: 'Title case: Email.' });
    await page.getByRole('textbox', { name: 'Edit your message' }).fill('And in titles?');
    await page.getByRole('button', { name: 'Save and send' }).click();
    await answers().last().getByText('Title case: Email.').waitFor();
    await switchOf(questions().nth(1)).getByText('2 / 2').waitFor();
    expect(await thread()).toEqual(['Do we write e-mail or email?', 'Email, without the hyphen.', 'And in titles?', 'Title case: Email.']);

    await switchOf(questions().nth(1)).getByRole('button', { name: 'Previous version' }).click();
    await switchOf(questions().nth(1)).getByText('1 / 2').waitFor();
    // The earlier question comes back with its latest continuation.
    expect((await thread()).slice(2)).toEqual(['And in headings?', 'Also email in headings.', 'And in URLs?', 'Lowercase email in URLs too.']);

    const sidebar = page.getByRole('navigation', { name: 'Conversations' });
    await sidebar.locator('.conv--active').getByRole('button', { name: /^Actions for/ }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Export as Markdown' }).click()]);
    const exported = fs.readFileSync((await download.path())!, 'utf8');
    expect(exported).toContain('Email, without the hyphen.');
    expect(exported).toContain('Lowercase email in URLs too.');
    expect(exported).not.toContain('the hyphen is dated');
    expect(exported).not.toContain('And in titles?');
  });

  it('logged no errors in the browser', () => {
    expect(problems).toEqual([]);
  });
});
