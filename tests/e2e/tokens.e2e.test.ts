import type { Browser, Page } from 'playwright-core';
import OpenAI from 'openai';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, signInToChat, signInToConsole, watchedPage } from './support/browser.js';

// Access tokens in the browser: a member of staff creates one in the chat app
// (user menu → Access tokens), copies it once, uses it with the official
// OpenAI SDK, and revokes it; an admin sees everyone's in the console and
// revokes one there, and opens the raw models to a group on its edit screen.

describe('access tokens in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let staff: { id: string; email: string };
  let admin: { id: string; email: string };
  let assistantId: string;
  let groupId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startChatServer();
    const adminLogin = await t.login({ role: 'admin', name: 'Ada Admin' });
    admin = adminLogin;
    staff = await t.login({ role: 'user', name: 'Sam Staff' });
    const group = await t.json(adminLogin.token, 'POST', '/api/v1/groups', { name: 'Staff' });
    await t.json(adminLogin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    groupId = group.body.id;
    assistantId = (await t.json(adminLogin.token, 'POST', '/api/v1/assistants', { name: 'HR handbook', instructions: 'HR.', groupIds: [group.body.id] })).body.id;
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const watched = await watchedPage(context);
    watched.page.on('dialog', (dialog) => void dialog.accept());
    problems.push(...watched.problems);
    return watched.page;
  }

  const sdk = (token: string) => new OpenAI({ apiKey: token, baseURL: `${t.url}/api/openai/v1`, maxRetries: 0 });

  it('creates a token in the chat app, shows it once with ready snippets, and revokes it', async () => {
    const page = await newPage();
    await page.goto(t.url);
    await signInToChat(page, staff.email, DEFAULT_PASSWORD);
    await page.getByRole('button', { name: /Account: Sam Staff/ }).click();
    await page.getByRole('menuitem', { name: 'Access tokens' }).click();
    await page.getByRole('heading', { name: 'Access tokens', level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/tokens');

    await page.getByLabel('Name').fill('laptop scripts');
    await page.getByRole('checkbox', { name: /MCP/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent())!;
    expect(token).toMatch(/^atr_[0-9a-f]{16}_/);
    // The snippets carry the new token, the API's address and an assistant id.
    const snippets = await page.locator('.tokens__snippet pre').allTextContents();
    expect(snippets[0]).toContain(`baseURL: '${t.url}/api/openai/v1'`);
    expect(snippets[0]).toContain(token);
    expect(snippets[0]).toContain(assistantId);
    expect(JSON.parse(snippets[1]!)).toEqual({ mcpServers: { atrium: { type: 'http', url: `${t.url}/api/mcp`, headers: { Authorization: `Bearer ${token}` } } } });
    const row = page.getByRole('row', { name: /laptop scripts/ });
    await row.getByText('chat, mcp').waitFor();

    // The token works with the official SDK, as its owner.
    const models = await sdk(token).models.list();
    expect(models.data.map((m) => m.id)).toEqual([assistantId]);

    // A question asked through the API is kept out of the sidebar and listed here, one click from its thread.
    t.openai.chat.script({ text: 'Twenty-seven days.' });
    await sdk(token).chat.completions.create({ model: assistantId, messages: [{ role: 'user', content: 'How many holiday days?' }] });

    // After a reload the token is never shown again; only its prefix.
    await page.reload();
    await page.getByRole('row', { name: /laptop scripts/ }).waitFor();
    expect(await page.getByTestId('new-token').count()).toBe(0);
    expect(await page.content()).not.toContain(token.slice(21));
    await page.getByRole('link', { name: 'How many holiday days?' }).click();
    await page.getByText('Twenty-seven days.').waitFor();
    expect(await page.locator('.sidebar').getByText('How many holiday days?').count()).toBe(0);
    await page.goBack();
    await page.getByRole('heading', { name: 'Access tokens', level: 2 }).waitFor();

    await page.getByRole('button', { name: 'Revoke laptop scripts' }).click();
    await page.getByText('No tokens yet.').waitFor();
    await expect(sdk(token).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('lists everyone’s tokens in the console, where an admin revokes one', async () => {
    const staffSession = await t.login({ role: 'user', name: 'Sol Staff' });
    const created = (await t.json(staffSession.token, 'POST', '/api/v1/me/tokens', { name: 'ci-runner', scopes: ['chat'] })).body;
    const page = await newPage();
    await page.goto(`${t.url}/admin/#/login`);
    await signInToConsole(page, admin.email, DEFAULT_PASSWORD);
    await page.getByRole('menuitem', { name: 'Access tokens' }).click();
    const row = page.getByTestId('tokens-table').getByRole('row', { name: /ci-runner/ });
    await row.getByText(staffSession.email).waitFor();
    await row.getByText(created.prefix, { exact: false }).waitFor();
    await row.getByRole('button', { name: 'Revoke ci-runner' }).click();
    await page.getByText('Token revoked').waitFor();
    await page.getByTestId('tokens-table').getByRole('row', { name: /ci-runner/ }).waitFor({ state: 'detached' });
    await expect(sdk(created.token).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(problems).toEqual([]);
  });

  it('switches raw models on for a group on the console’s group edit screen, and its members see them in the API', async () => {
    const member = await t.login({ role: 'user', name: 'Ray Raw' });
    await t.json((await t.login({ role: 'admin' })).token, 'PUT', `/api/v1/groups/${groupId}/members/${member.id}`, { role: 'member' });
    const client = sdk((await t.json(member.token, 'POST', '/api/v1/me/tokens', { name: 'raw' })).body.token);
    const modelIds = async () => (await client.models.list()).data.map((m) => m.id);
    expect((await modelIds()).some((id) => id.startsWith('model:'))).toBe(false);

    const page = await newPage();
    await page.goto(`${t.url}/admin/#/login`);
    await signInToConsole(page, admin.email, DEFAULT_PASSWORD);
    await page.getByRole('menuitem', { name: 'Groups' }).waitFor();
    await page.goto(`${t.url}/admin/#/groups/${groupId}`);
    const toggle = page.getByLabel('Raw models in the API');
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Element updated').waitFor();

    const model = await t.server.services.prisma.model.findFirstOrThrow({ where: { name: 'test-chat-model' } });
    expect(await modelIds()).toEqual([assistantId, `model:${model.id}`]);
    expect(problems).toEqual([]);
  });
});
