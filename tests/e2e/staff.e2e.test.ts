import type { Browser, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { eventually, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, signInToChat, signInToConsole, watchedPage } from './support/browser.js';

// Staff features in Chromium against a real server: a thumbs down with a
// reason on an answer reaches the console's Feedback screen of the manager who
// maintains the assistant, and `/` in the composer picks a published prompt,
// asking for its variable first.

describe('staff features in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let manager: { id: string; email: string; token: string };
  let staff: { id: string; email: string; token: string };
  let assistantId: string;
  const problems: string[][] = [];

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    const admin = await t.login({ role: 'admin' });
    manager = await t.login({ role: 'manager', name: 'Mia Manager' });
    staff = await t.login({ role: 'user', name: 'Sam Staff' });
    const group = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Support' })).body;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.id}/members/${manager.id}`, { role: 'manager' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.id}/members/${staff.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Helpdesk', instructions: 'Help staff.', groupIds: [group.id] })).body.id;
    const published = await t.json(manager.token, 'POST', '/api/v1/prompts', { title: 'Customer reply', text: 'Write a short reply to {{customer}} about the delayed order.', groupIds: [group.id] });
    expect(published.status).toBe(201);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openPage(width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const watched = await watchedPage(context);
    problems.push(watched.problems);
    return watched.page;
  }

  it('sends a thumbs down with a reason, and the manager sees it on the Feedback screen', async () => {
    const page = await openPage();
    await page.goto(`${t.url}/new/${assistantId}`);
    await signInToChat(page, staff.email, DEFAULT_PASSWORD);
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('How do I reset my VPN password?');
    await composer.press('Enter');
    const answer = page.locator('article.message--assistant').last();
    await answer.getByText('You asked: How do I reset my VPN password?').waitFor();

    const down = answer.getByRole('button', { name: 'Bad answer' });
    expect(await down.getAttribute('aria-pressed')).toBe('false');
    await down.click();
    const dialog = page.getByRole('dialog', { name: 'What was wrong with this answer?' });
    await dialog.getByText('Your feedback and the question are shown to the people who maintain this assistant.').waitFor();
    await dialog.getByRole('checkbox', { name: 'Wrong' }).check();
    await dialog.getByRole('textbox', { name: 'Comment (optional)' }).fill('The VPN portal moved last month.');
    await screenshot(page, 'web-feedback');
    await dialog.getByRole('button', { name: 'Send feedback' }).click();
    await answer.getByRole('status').getByText(/shown to the people who maintain this assistant/).waitFor();
    expect(await down.getAttribute('aria-pressed')).toBe('true');

    // Stored, and shown again after a reload.
    const stored = await eventually(() => t.server.services.prisma.messageFeedback.findMany());
    expect(stored).toEqual([expect.objectContaining({ userId: staff.id, rating: 'down', reasons: ['wrong'], comment: 'The VPN portal moved last month.' })]);
    await page.reload();
    await page.locator('article.message--assistant').last().getByRole('button', { name: 'Bad answer', pressed: true }).waitFor();

    const consolePage = await openPage(1400);
    await consolePage.goto(`${t.url}/admin/#/login`);
    await signInToConsole(consolePage, manager.email, DEFAULT_PASSWORD);
    await consolePage.getByRole('menuitem', { name: 'Feedback' }).click();
    const negative = consolePage.getByRole('table', { name: 'Answers with negative feedback' });
    const row = negative.getByRole('row').filter({ hasText: 'How do I reset my VPN password?' });
    await row.waitFor();
    await row.getByText('Wrong', { exact: true }).waitFor();
    await row.getByText('The VPN portal moved last month.').waitFor();
    await row.getByText('Helpdesk').waitFor();
    // The assistant has no knowledge: the question is a knowledge gap as well.
    await consolePage.getByRole('table', { name: 'Knowledge gaps' }).getByText('How do I reset my VPN password?').waitFor();
    // The per-day chart: thumbs up, thumbs down and gaps (a flat line of zeros has no height, so count them).
    await consolePage.locator('.recharts-surface').first().waitFor();
    expect(await consolePage.locator('.recharts-line').count()).toBe(3);
    await consolePage.mouse.move(0, 0);
    await screenshot(consolePage, 'admin-feedback');
  });

  it('picks a published prompt with `/` and fills in its variable', async () => {
    const page = await openPage();
    await page.goto(`${t.url}/new/${assistantId}`);
    await signInToChat(page, staff.email, DEFAULT_PASSWORD);
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.click();
    await composer.pressSequentially('/cust');
    const option = page.getByRole('listbox', { name: 'Saved prompts' }).getByRole('option', { name: /Customer reply/ });
    await option.waitFor();
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await composer.press('Enter');
    const form = page.getByRole('dialog', { name: /Customer reply/ });
    await form.getByRole('textbox', { name: 'customer' }).fill('ACME Ltd');
    await screenshot(page, 'web-prompt-variables');
    await form.getByRole('textbox', { name: 'customer' }).press('Enter');
    await form.waitFor({ state: 'detached' });
    expect(await composer.inputValue()).toBe('Write a short reply to ACME Ltd about the delayed order.');
    // Nothing was sent: the user reads it over and sends it themselves.
    expect(await t.server.services.prisma.message.count({ where: { content: { startsWith: 'Write a short reply' } } })).toBe(0);
    await composer.press('Enter');
    await page.locator('article.message--assistant').last().getByText('You asked: Write a short reply to ACME Ltd about the delayed order.').waitFor();
  });

  it('ran without page errors or CSP violations', () => {
    // Refused requests (the first visit's session check) are logged by Chromium, and expected.
    expect(problems.flat().filter((p) => !/Failed to load resource|status of (401|404)/.test(p))).toEqual([]);
  });
});
