import type { Browser, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { eventually, startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { startToolTestServer, TOOL_SERVER_KEY, type ToolTestServer } from '../tools/toolTestServer.js';
import { launchBrowser, screenshot, signInToChat, signInToConsole, watchedPage } from './support/browser.js';

// Tools in the browser: an admin registers a real MCP server in the console
// (its key typed once, never shown again), tests it and switches a tool off;
// a member of staff then asks in the chat app and watches the tool card,
// which opens to show what was asked and what came back, also after a reload.
// A tool marked "ask first" in the console opens its card with Allow / Deny.

describe('tools in the browser', () => {
  let t: ChatTestServer;
  let mcp: ToolTestServer;
  let browser: Browser;
  let admin: { id: string; email: string; token: string };
  let staff: { id: string; email: string };
  const problems: string[] = [];

  beforeAll(async () => {
    mcp = await startToolTestServer();
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin', name: 'Ada Admin' });
    staff = await t.login({ role: 'user', name: 'Sam Sales' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Sales' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Order desk', instructions: 'You help with orders.', groupIds: [group.body.id], builtinTools: ['current_time'] });
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await mcp?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const watched = await watchedPage(context);
    problems.push(...watched.problems);
    return watched.page;
  }

  it('registers an MCP server in the console, tests it, switches a tool off and marks one "ask first"', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/admin/#/login`);
    await signInToConsole(page, admin.email, DEFAULT_PASSWORD);
    await page.getByRole('menuitem', { name: 'Tool servers' }).click();
    await page.waitForURL(/#\/tool-servers$/);
    await page.getByRole('link', { name: 'Create', exact: true }).click();
    await page.getByLabel('Name').fill('Orders');
    await page.getByLabel('Streamable HTTP URL').fill(mcp.url);
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByLabel('Header').fill('X-Api-Key');
    await page.getByLabel('Value').fill(TOOL_SERVER_KEY);
    await page.getByLabel('Groups that may use it').click();
    await page.getByRole('option', { name: 'Sales' }).click();
    await page.keyboard.press('Escape');
    await page.getByLabel('Assistants that offer its tools').click();
    await page.getByRole('option', { name: 'Order desk' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Save' }).click();

    // The edit screen: the key's name is shown, never its value.
    await page.getByText('set: X-Api-Key; values are never shown', { exact: false }).waitFor();
    expect(await page.content()).not.toContain(TOOL_SERVER_KEY);
    await page.getByRole('button', { name: 'Test connection and list tools' }).click();
    await page.getByText(/Connected in \d+ ms: 5 tools/).waitFor();
    const huge = page.getByRole('checkbox', { name: /^huge/ });
    // Switched off on the server first, then shown unticked.
    await huge.click();
    await page.getByRole('checkbox', { name: /^huge/, checked: false }).waitFor();
    const saved = await eventually(() => t.server.services.prisma.toolServer.findFirstOrThrow(), (row) => row.disabledTools.length > 0);
    expect(saved.disabledTools).toEqual(['huge']);
    // Saved on the server first, then shown switched on.
    await page.getByLabel('Ask first: cancel_order').click();
    const askFirst = await eventually(() => t.server.services.prisma.toolServer.findFirstOrThrow(), (row) => row.askFirstTools.length > 0);
    expect(askFirst.askFirstTools).toEqual(['cancel_order']);
    await eventually(() => page.getByLabel('Ask first: cancel_order').isChecked());
    await screenshot(page, 'admin-tool-servers');
  });

  it('shows the tool call as a card in the answer, live and after a reload', async () => {
    const page = await newPage();
    await page.goto(t.url);
    await signInToChat(page, staff.email, DEFAULT_PASSWORD);
    await page.getByRole('button', { name: /Order desk/ }).click();

    t.openai.chat.script(
      { text: 'Let me look it up.', toolCalls: [{ id: 'call_1', name: 'Orders__lookup_order', arguments: { id: 'A-1' } }], chunkDelayMs: 20 },
      { text: 'Order A-1 shipped on 30 November.', firstTokenDelayMs: 300 },
    );
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('Where is order A-1?');
    await composer.press('Enter');
    const answer = page.locator('article.message--assistant').last();
    const card = answer.locator('details.tool-call');
    await card.waitFor();
    await answer.getByText('Order A-1 shipped on 30 November.').waitFor();
    expect(await card.locator('summary').textContent()).toMatch(/^Used lookup_order \(Orders\) in \d+ ms$/);
    await answer.getByText('Order A-1 shipped on 30 November.').waitFor();
    // The card sits between the text before the call and the text after it.
    // Text shows as .plain until the lazily loaded Markdown renderer arrives.
    const order = await answer.locator('.message__body > .markdown, .message__body > .plain, details.tool-call').evaluateAll((nodes) => nodes.map((n) => (n.tagName === 'DETAILS' ? 'card' : n.textContent?.trim())));
    expect(order).toEqual(['Let me look it up.', 'card', 'Order A-1 shipped on 30 November.']);

    await card.locator('summary').click();
    await card.getByText('Order A-1: shipped on 2026-11-30, 3 items.').waitFor();
    await card.getByText('"id": "A-1"').waitFor();
    await screenshot(page, 'web-tool-call');

    await page.reload();
    const reloaded = page.locator('article.message--assistant').last().locator('details.tool-call');
    await reloaded.getByText(/^Used lookup_order/).waitFor();
  });

  it('asks before running an "ask first" tool: Allow runs it, Deny does not', async () => {
    const page = await newPage();
    await page.goto(t.url);
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password', { exact: true }).fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /Order desk/ }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    const cancels = () => mcp.calls.filter((c) => c.tool === 'cancel_order').length;

    t.openai.chat.script({ text: 'I will cancel it.', toolCalls: [{ id: 'call_ok', name: 'Orders__cancel_order', arguments: { id: 'A-1' } }] }, { text: 'Order A-1 is cancelled.' });
    await composer.fill('Cancel order A-1');
    await composer.press('Enter');
    let answer = page.locator('article.message--assistant').last();
    const card = answer.locator('details.tool-call');
    await card.getByText('cancel_order (Orders) needs your approval').waitFor();
    await card.getByText('"id": "A-1"').waitFor();
    expect(cancels()).toBe(0);
    await screenshot(page, 'web-tool-approval');
    await card.getByRole('button', { name: 'Allow' }).click();
    await answer.getByText('Order A-1 is cancelled.').waitFor();
    expect(await card.locator('summary').textContent()).toMatch(/^Used cancel_order \(Orders\) in \d+ ms$/);
    expect(cancels()).toBe(1);

    t.openai.chat.script({ text: '', toolCalls: [{ id: 'call_no', name: 'Orders__cancel_order', arguments: { id: 'B-2' } }] }, { text: 'Understood, B-2 stays as it is.' });
    await composer.fill('Cancel order B-2');
    await composer.press('Enter');
    await page.getByText('Understood, B-2 stays').or(page.getByRole('button', { name: 'Deny' })).first().waitFor();
    answer = page.locator('article.message--assistant').last();
    await answer.getByRole('button', { name: 'Deny' }).click();
    await answer.getByText('Understood, B-2 stays as it is.').waitFor();
    await answer.getByText('cancel_order (Orders) denied').waitFor();
    expect(cancels()).toBe(1);
  });

  it('logged no errors in the browser', () => {
    expect(problems).toEqual([]);
  });
});
