import type { Browser, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { isTitleRequest, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import type { ChatCall } from '../support/chatScript.js';
import { launchBrowser, screenshot, signInToChat, watchedPage } from './support/browser.js';

// Memory in Chromium against a real server: turn it on from the Memory page
// (account menu), say "remember that …", see the note named under the answer
// as "Your memory", keep a proposal announced by the badge, find both on the
// Memory page, delete one.

describe('memory in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let staff: { id: string; email: string; token: string };
  let assistantId: string;
  const problems: string[][] = [];

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false', MEMORY_PROPOSAL_DELAY_SECONDS: '0' });
    t.openai.chat.intercept = (call: ChatCall) => {
      if (isTitleRequest(call)) return { text: 'A generated title' };
      const system = call.messages.find((m) => m.role === 'system')?.content ?? '';
      return system.startsWith('You help a user keep short notes') ? { text: '{"memories": ["Leads the Atlas migration project"]}' } : undefined;
    };
    const admin = await t.login({ role: 'admin' });
    staff = await t.login({ role: 'user', name: 'Sam Staff' });
    const group = (await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Everyone here' })).body;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.id}/members/${staff.id}`, { role: 'member' });
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Helpdesk', instructions: 'Help staff.', groupIds: [group.id] })).body.id;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function openPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const watched = await watchedPage(context);
    problems.push(watched.problems);
    return watched.page;
  }

  it('turns memory on, keeps "remember that …", shows it under the answer and on the Memory page, and deletes it', async () => {
    const page = await openPage();
    await page.goto(`${t.url}/new/${assistantId}`);
    await signInToChat(page, staff.email, DEFAULT_PASSWORD);

    await page.getByRole('button', { name: /^Account: Sam Staff/ }).click();
    await page.getByRole('menuitem', { name: /^Memory/ }).click();
    const toggle = page.getByRole('checkbox', { name: 'Use memory' });
    expect(await toggle.isChecked()).toBe(false);
    // The switch shows on only once the server has saved it: click, then wait for the new state.
    await toggle.click();
    await page.getByRole('checkbox', { name: 'Use memory', checked: true }).waitFor();
    await page.getByRole('form', { name: 'New memory' }).waitFor();
    expect(await t.json(staff.token, 'GET', '/api/v1/me/memory')).toMatchObject({ body: { enabled: true, active: true } });

    await page.goto(`${t.url}/new/${assistantId}`);
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('Remember that I work in the Berlin office');
    await composer.press('Enter');
    const answer = page.locator('article.message--assistant').last();
    const sources = answer.getByRole('region', { name: 'Sources' });
    await sources.getByText('Your memory:').waitFor();
    await sources.getByText('I work in the Berlin office').first().waitFor();

    // The proposal made after the conversation shows as a badge on the account menu.
    await page.getByRole('button', { name: 'Account: Sam Staff (1 memory proposals)' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^Account: Sam Staff/ }).click();
    await page.getByRole('menuitem', { name: 'Memory (1 to review)' }).click();
    await page.getByRole('heading', { name: 'Memory', level: 2 }).waitFor();
    const kept = page.getByRole('region', { name: 'Kept' });
    await kept.getByText('I work in the Berlin office').waitFor();
    const proposed = page.getByRole('region', { name: /Proposed/ });
    await proposed.getByText('Leads the Atlas migration project').waitFor();
    await screenshot(page, 'web-memory');

    await proposed.getByRole('button', { name: 'Keep “Leads the Atlas migration project”' }).click();
    await kept.getByText('Leads the Atlas migration project').waitFor();
    await proposed.waitFor({ state: 'detached' });

    await kept.getByRole('button', { name: 'Delete “I work in the Berlin office”' }).click();
    await kept.getByText('I work in the Berlin office').waitFor({ state: 'detached' });
    const left = (await t.json(staff.token, 'GET', '/api/v1/me/memories')).body.data.map((m: { text: string }) => m.text);
    expect(left).toEqual(['Leads the Atlas migration project']);
  }, 120_000);

  it('ran without page errors or CSP violations', () => {
    expect(problems.flat().filter((p) => !/Failed to load resource|status of (401|404)/.test(p))).toEqual([]);
  });
});
