import fs from 'node:fs';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import sharp from 'sharp';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { fixture } from '../support/knowledge.js';
import { eventually, startChatServer, uploadAndWait, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, signInToChat, watchedPage } from './support/browser.js';

// The chat app (web/dist, built first) in headless Chromium against a real
// server, database and test model server: what a member of staff does every
// day, from signing in to a quota running out.

const PDF = 'pdf/pdfjs__pdfjs_wikipedia.pdf';
const FILE_NAME = 'pdfjs__pdfjs_wikipedia.pdf';

// Markdown the UI must render (table, code) and HTML it must never run.
const ANSWER = [
  'PDF.js is a JavaScript library that renders PDF files [1].',
  '',
  '| Feature | Support |',
  '|---|---|',
  '| Rendering | yes |',
  '',
  '```js',
  'const doc = await pdfjsLib.getDocument(url);',
  '```',
  '',
  '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [a link](javascript:window.__xss=3)',
].join('\n');

const words = (n: number, prefix = 'word') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`).join(' ');

describe('chat app in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let admin: { id: string; token: string };
  let staff: { id: string; email: string; token: string };
  let assistantId: string;
  let groupId: string;

  beforeAll(async () => {
    t = await startChatServer();
    admin = await t.login({ role: 'admin' });
    staff = await t.login({ role: 'user', name: 'Sam Staff', email: 'sam.staff@example.com' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Readers' });
    groupId = group.body.id;
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    const assistant = await t.json(admin.token, 'POST', '/api/v1/assistants', {
      name: 'PDF expert',
      description: 'Answers questions about PDF software from the team wiki.',
      instructions: 'You answer questions about PDF software.',
      groupIds: [group.body.id],
    });
    assistantId = assistant.body.id;
    const avatar = new FormData();
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#d9822b' } }).png().toBuffer();
    avatar.append('avatar', new Blob([png], { type: 'image/png' }), 'avatar.png');
    expect((await fetch(`${t.url}/api/v1/assistants/${assistantId}/avatar`, { method: 'PUT', headers: { authorization: `Bearer ${admin.token}` }, body: avatar })).status).toBe(200);
    // Not shared with the staff member's group: must not be offered.
    await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Finance secrets', instructions: 'x', groupIds: [] });
    expect(await uploadAndWait(t, admin.token, assistantId, fixture(PDF), FILE_NAME)).toBe('ready');
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ({ page, problems } = await watchedPage(context));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const composer = () => page.getByRole('textbox', { name: 'Message' });
  const lastAnswer = () => page.locator('article.message--assistant').last();

  async function signIn(p: Page, email: string, password = DEFAULT_PASSWORD) {
    await signInToChat(p, email, password);
  }

  async function ask(question: string) {
    await composer().fill(question);
    await composer().press('Enter');
  }

  it('signs in and offers only the assistants the user may use', async () => {
    await page.goto(t.url);
    await page.getByRole('heading', { name: 'Sign in to Atrium' }).waitFor();
    await page.getByLabel('Email').fill(staff.email);
    await screenshot(page, 'web-login');
    await page.getByLabel('Password', { exact: true }).fill('not the password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor();

    await signIn(page, staff.email);
    await page.getByRole('heading', { name: 'Who would you like to ask?' }).waitFor();
    await page.getByRole('button', { name: /PDF expert/ }).waitFor();
    expect(await page.getByText('Answers questions about PDF software from the team wiki.').isVisible()).toBe(true);
    expect(await page.getByText('Finance secrets').count()).toBe(0);
    // The avatar is behind the bearer token: fetched as a blob and shown from an object URL.
    const avatar = page.getByRole('button', { name: /PDF expert/ }).locator('img');
    await avatar.waitFor();
    expect(await avatar.evaluate((img: HTMLImageElement) => [img.src.slice(0, 5), img.naturalWidth])).toEqual(['blob:', 256]);

    // The refresh cookie keeps the session over a reload; the token itself is only in memory.
    await page.reload();
    await page.getByRole('heading', { name: 'Who would you like to ask?' }).waitFor();
    expect(await page.evaluate(() => JSON.stringify(localStorage) + document.cookie)).not.toMatch(/eyJ/);

    // An expired access token is renewed from the cookie and the request retried, unnoticed.
    let expired = 0;
    await page.route(/\/api\/v1\/conversations\?/, (route) =>
      expired++ === 0 ? route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'token_expired', message: 'Access token expired' } }) }) : route.continue(),
    );
    const renewed = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh') && r.status() === 200);
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill('nothing like this');
    await renewed;
    await page.getByText('No conversation matches.').waitFor();
    expect(expired).toBe(2);
    await page.unroute(/\/api\/v1\/conversations\?/);
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill('');
  });

  it('streams an answer as Markdown with its sources, and runs no HTML from it', async () => {
    t.openai.chat.script({ text: ANSWER, chunkDelayMs: 60 });
    await page.getByRole('button', { name: /PDF expert/ }).click();
    await ask('What is PDF.js?');
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    // Seen while it streams: part of the text, and the stop button.
    await page.getByRole('button', { name: 'Stop answer' }).waitFor();
    await lastAnswer().getByText('PDF.js is a JavaScript').waitFor();
    expect(await page.getByRole('cell', { name: 'Rendering' }).count()).toBe(0);

    await lastAnswer().getByRole('cell', { name: 'Rendering' }).waitFor();
    await lastAnswer().getByRole('region', { name: 'Sources' }).waitFor();
    await page.getByRole('button', { name: 'Send message' }).waitFor();

    const answer = lastAnswer();
    expect(await answer.locator('pre code.hljs').count()).toBe(1);
    expect(await answer.locator('.hljs-keyword').count()).toBeGreaterThan(0);
    expect(await answer.getByRole('button', { name: 'Copy code' }).count()).toBe(1);
    expect(await answer.locator('.markdown img, .markdown script').count()).toBe(0);
    expect(await answer.locator('.markdown').count()).toBe(1);
    expect(await answer.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await answer.getByText('test-chat-model').isVisible()).toBe(true);

    const source = answer.getByRole('region', { name: 'Sources' }).locator('li').first();
    expect(await source.textContent()).toContain(FILE_NAME);
    expect(await source.textContent()).toMatch(/page \d+/);
    // The citation [1] in the text opens its source.
    expect(await source.locator('blockquote').isVisible()).toBe(false);
    await answer.getByRole('button', { name: 'Source 1' }).click();
    await source.locator('blockquote').waitFor();
    expect(await source.locator('blockquote').textContent()).toMatch(/pdf/i);
    // The generated title reaches the sidebar.
    await page.getByRole('navigation', { name: 'Conversations' }).getByText('A generated title').waitFor();
    await screenshot(page, 'web-chat');
  });

  it('stops a long answer with Esc and keeps what was written', async () => {
    const full = words(300, 'long');
    t.openai.chat.script({ text: full, chunkDelayMs: 30 });
    await ask('Tell me everything.');
    await lastAnswer().getByText('long5', { exact: false }).waitFor();
    await page.keyboard.press('Escape');
    await lastAnswer().getByText('Stopped').waitFor();
    const kept = (await lastAnswer().locator('.markdown').textContent()) ?? '';
    expect(kept).toMatch(/^long1 long2 long3 long4 long5/);
    expect(kept.length).toBeLessThan(full.length);
    await page.getByRole('button', { name: 'Send message' }).waitFor();
  });

  it('reconnects after the network drops mid-answer and shows the whole answer once', async () => {
    // Network loss: socket.io's WebSocket is cut and its polling fallback refused until the network is back.
    let down = false;
    const open = new Set<WebSocketRoute>();
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (down) return void ws.close();
      ws.connectToServer();
      open.add(ws);
    });
    await page.route(/\/socket\.io\//, (route) => (down ? route.abort('internetdisconnected') : route.continue()));
    // The route applies to connections made from now on: reconnect once through it.
    await page.reload();
    await composer().waitFor();

    const full = words(120, 'part');
    t.openai.chat.script({ text: full, chunkDelayMs: 40 });
    await ask('A long one, please.');
    await lastAnswer().getByText('part10', { exact: false }).waitFor();
    down = true;
    open.forEach((ws) => void ws.close());
    await page.getByText('Connection lost.').waitFor();
    expect(await composer().isDisabled()).toBe(true);
    await page.waitForTimeout(1500);
    down = false;
    await eventually(() => page.getByText('Connection lost.').count(), (n) => n === 0, 15_000);
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 20_000 });
    const shown = await eventually(async () => ((await lastAnswer().locator('.markdown').textContent()) ?? '').trim(), (text) => text.length >= full.length, 15_000);
    expect(shown).toBe(full);
    await page.unroute(/\/socket\.io\//);
  });

  it('picks up an answer being written after a reload', async () => {
    const full = words(80, 'again');
    t.openai.chat.script({ text: full, chunkDelayMs: 40 });
    await ask('And once more.');
    await lastAnswer().getByText('again5', { exact: false }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Stop answer' }).waitFor();
    await page.getByRole('button', { name: 'Send message' }).waitFor({ timeout: 20_000 });
    const shown = await eventually(async () => ((await lastAnswer().locator('.markdown').textContent()) ?? '').trim(), (text) => text.length >= full.length);
    expect(shown).toBe(full);
  });

  it('searches, renames, archives and deletes conversations with undo', async () => {
    // A second conversation to delete (the one above stays for the screens below).
    const scratch = await t.json(staff.token, 'POST', '/api/v1/conversations', { assistantId, title: 'Scratch chat' });
    expect(scratch.status).toBe(201);
    await page.reload();
    const sidebar = page.getByRole('navigation', { name: 'Conversations' });
    await sidebar.getByText('Scratch chat').waitFor();

    await sidebar.getByRole('searchbox', { name: 'Search conversations' }).fill('everything');
    const results = sidebar.getByRole('list', { name: 'Search results' });
    await eventually(() => results.getByRole('listitem').count(), (n) => n === 1);
    expect(await results.textContent()).toContain('Tell me everything');
    expect(await results.locator('mark').first().textContent()).toBe('everything');
    await screenshot(page, 'web-sidebar-search');
    await sidebar.getByRole('searchbox', { name: 'Search conversations' }).fill('');

    await sidebar.getByRole('button', { name: 'Actions for A generated title' }).click();
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    await sidebar.getByRole('textbox', { name: 'Conversation title' }).fill('PDF questions');
    await sidebar.getByRole('textbox', { name: 'Conversation title' }).press('Enter');
    await sidebar.getByText('PDF questions').waitFor();

    await sidebar.getByRole('button', { name: 'Actions for PDF questions' }).click();
    await page.getByRole('menuitem', { name: 'Archive' }).click();
    await eventually(() => sidebar.getByText('PDF questions').count(), (n) => n === 0);
    await sidebar.getByRole('button', { name: 'Archived', exact: true }).click();
    await sidebar.getByRole('button', { name: 'Actions for PDF questions' }).click();
    await page.getByRole('menuitem', { name: 'Unarchive' }).click();
    await sidebar.getByRole('button', { name: 'Chats', exact: true }).click();
    await sidebar.getByText('PDF questions').waitFor();

    const total = async () => (await t.json(staff.token, 'GET', '/api/v1/conversations?archived=all')).body.total as number;
    const before = await total();
    await sidebar.getByRole('button', { name: 'Actions for Scratch chat' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await eventually(() => sidebar.getByText('Scratch chat', { exact: true }).count(), (n) => n === 0);
    await sidebar.getByRole('status').filter({ hasText: 'Deleted' }).getByRole('button', { name: 'Undo' }).click();
    await sidebar.getByText('Scratch chat', { exact: true }).waitFor();
    await page.waitForTimeout(6500);
    expect(await total()).toBe(before);

    await sidebar.getByRole('button', { name: 'Actions for Scratch chat' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await eventually(total, (n) => n === before - 1, 15_000);
    expect(await sidebar.getByText('Scratch chat', { exact: true }).count()).toBe(0);
    await page.reload();
    await sidebar.getByText('PDF questions').waitFor();
    expect(await sidebar.getByText('Scratch chat', { exact: true }).count()).toBe(0);
  });

  it('refuses another user’s conversation', async () => {
    const theirs = await t.json(admin.token, 'POST', '/api/v1/conversations', { assistantId });
    expect(theirs.status).toBe(201);
    await page.goto(`${t.url}/c/${theirs.body.id}`);
    await page.getByRole('alert').filter({ hasText: 'does not exist or is not yours' }).waitFor();
    expect(await page.getByRole('article').count()).toBe(0);
  });

  it('shows a clear banner when a quota is used up, and keeps the question', async () => {
    const quota = await t.json(admin.token, 'POST', '/api/v1/quotas', { scope: 'user', scopeId: staff.id, tokensPerDay: 1 });
    expect(quota.status).toBe(201);
    await page.getByRole('navigation', { name: 'Conversations' }).getByText('PDF questions').click();
    await lastAnswer().waitFor();
    const banner = page.getByRole('alert').filter({ hasText: 'Usage limit reached' });
    // One token a day: the first question spends it (or is refused outright), the next is refused.
    await ask('One more question?');
    await eventually(async () => (await banner.count()) + (await lastAnswer().getByText('You asked: One more question?').count()), (n) => n > 0);
    await page.getByRole('button', { name: 'Send message' }).waitFor();
    await ask('Is there any budget left?');
    await banner.waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('article').getByText('Is there any budget left?').count()).toBe(0);
    expect(await banner.textContent()).toMatch(/daily token allowance\. It resets (today|tomorrow) at \d\d:\d\d/);
    expect(await composer().inputValue()).toBe('Is there any budget left?');
    await eventually(async () => (await page.getByLabel('Your usage').textContent()) ?? '', (text) => text.includes('0 tokens left'));
    await screenshot(page, 'web-quota');
    await t.json(admin.token, 'DELETE', `/api/v1/quotas/${quota.body.id}`);
  });

  it('switches to the dark theme and remembers it', async () => {
    await page.goto(t.url);
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.reload();
    await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(23, 25, 29)');
    t.openai.chat.script({ text: ANSWER.split('\n\n<img')[0]! });
    await page.getByRole('button', { name: /PDF expert/ }).click();
    await ask('How does PDF.js render a page?');
    await lastAnswer().getByRole('region', { name: 'Sources' }).waitFor();
    await lastAnswer().locator('.markdown table').waitFor();
    await screenshot(page, 'web-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  it('says so when the model provider is down, and offers to try again', async () => {
    t.openai.chat.fail(503, 3);
    await ask('Are you there?');
    const alert = lastAnswer().getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toMatch(/The assistant could not answer\. The model provider is not reachable at the moment\./);
    await lastAnswer().getByRole('button', { name: 'Regenerate answer' }).click();
    await lastAnswer().getByText('You asked: Are you there?').waitFor({ timeout: 20_000 });
  });

  it('edits a question and resends it, and exports the conversation', async () => {
    const question = page.locator('article.message--user').last();
    await question.getByRole('button', { name: 'Edit and resend' }).click();
    await page.getByRole('textbox', { name: 'Edit your message' }).fill('Are you still there?');
    await page.getByRole('button', { name: 'Save and send' }).click();
    await lastAnswer().getByText('You asked: Are you still there?').waitFor();
    expect(await page.getByText('Are you there?', { exact: true }).count()).toBe(0);
    // Which version of the question this is comes with the stored conversation, fetched after the answer.
    await page.locator('article.message--user').last().getByText('2 / 2').waitFor();

    const sidebar = page.getByRole('navigation', { name: 'Conversations' });
    await sidebar.locator('.conv--active').getByRole('button', { name: /^Actions for/ }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Export as Markdown' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.md$/);
    const exported = fs.readFileSync((await download.path())!, 'utf8');
    expect(exported).toContain('Are you still there?');
    expect(exported).toContain('You asked: Are you still there?');
  });

  it('works on a phone-sized screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const { page: p, problems: phoneProblems } = await watchedPage(phone);
    await p.goto(t.url);
    await signIn(p, staff.email);
    const sidebar = p.getByRole('navigation', { name: 'Conversations' });
    await p.getByRole('heading', { name: 'Who would you like to ask?' }).waitFor();
    expect(await sidebar.isVisible()).toBe(true); // in the DOM, but off-screen:
    expect((await sidebar.boundingBox())!.x + (await sidebar.boundingBox())!.width).toBeLessThanOrEqual(1);
    await p.getByRole('button', { name: 'Open conversations' }).click();
    await eventually(async () => (await sidebar.boundingBox())!.x, (x) => x >= 0);
    await sidebar.getByRole('listitem').first().locator('.conv__open').click();
    await p.locator('article.message--assistant .markdown').first().waitFor();
    // Picking a conversation closes the drawer (a short slide).
    await eventually(async () => { const b = (await sidebar.boundingBox())!; return b.x + b.width; }, (right) => right <= 1);
    const box = (await p.getByRole('textbox', { name: 'Message' }).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(p, 'web-phone');
    expect(phoneProblems).toEqual([]);
    await phone.close();
  });

  it('makes a user with a temporary password choose a new one first', async () => {
    const created = await t.json(admin.token, 'POST', '/api/v1/users', { email: 'new.hire@example.com', name: 'New Hire', password: 'temporary pass 1' });
    expect(created.status).toBe(201);
    const fresh = await browser.newContext();
    const { page: p } = await watchedPage(fresh);
    await p.goto(t.url);
    await signIn(p, 'new.hire@example.com', 'temporary pass 1');
    await p.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await p.getByLabel('Temporary password').fill('temporary pass 1');
    await p.getByLabel('New password', { exact: true }).fill('my own secret 2');
    await p.getByLabel('Repeat new password').fill('my own secret 2');
    await p.getByRole('button', { name: 'Save and continue' }).click();
    await p.getByRole('heading', { name: 'Who would you like to ask?' }).waitFor();
    await fresh.close();
  });

  it('ends the session when an administrator resets the password, then asks for a new one', async () => {
    const user = await t.login({ role: 'user', email: 'reset.me@example.com' });
    const ctx = await browser.newContext();
    const { page: p } = await watchedPage(ctx);
    await p.goto(t.url);
    await signIn(p, user.email);
    await p.getByRole('heading', { name: 'Who would you like to ask?' }).waitFor();
    const reset = await t.json(admin.token, 'POST', `/api/v1/users/${user.id}/reset-password`, { password: 'reset by admin 3' });
    expect(reset.status).toBe(200);
    // The next request (a search) is refused: the token predates the reset, and so does the refresh cookie.
    await p.getByRole('searchbox', { name: 'Search conversations' }).fill('anything');
    await p.getByRole('status').filter({ hasText: 'Your session has expired' }).waitFor();
    await signIn(p, user.email, 'reset by admin 3');
    await p.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await p.getByLabel('Temporary password').fill('reset by admin 3');
    await p.getByLabel('New password', { exact: true }).fill('mine again 4!');
    await p.getByLabel('Repeat new password').fill('mine again 4!');
    await p.getByRole('button', { name: 'Save and continue' }).click();
    await p.getByRole('heading', { name: 'Who would you like to ask?' }).waitFor();
    await ctx.close();
  });

  it('lists older conversations page by page', async () => {
    const user = await t.login({ role: 'user', email: 'long.history@example.com' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${groupId}/members/${user.id}`, { role: 'member' });
    for (let i = 1; i <= 55; i++) expect((await t.json(user.token, 'POST', '/api/v1/conversations', { assistantId, title: `Old chat ${i}` })).status).toBe(201);
    const ctx = await browser.newContext();
    const { page: p } = await watchedPage(ctx);
    await p.goto(t.url);
    await signIn(p, user.email);
    const sidebar = p.getByRole('navigation', { name: 'Conversations' });
    await sidebar.getByText('Old chat 55', { exact: true }).waitFor();
    expect(await sidebar.locator('.conv').count()).toBe(50);
    expect(await sidebar.getByText('Old chat 5', { exact: true }).count()).toBe(0);
    await sidebar.getByRole('button', { name: 'Show older conversations' }).click();
    await sidebar.getByText('Old chat 1', { exact: true }).waitFor();
    expect(await sidebar.locator('.conv').count()).toBe(55);
    expect(await sidebar.getByRole('button', { name: 'Show older conversations' }).count()).toBe(0);
    await ctx.close();
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Atrium' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Atrium' }).waitFor();
  });

  it('logged nothing unexpected in the browser', () => {
    // A refused sign-in, a refused conversation and a quota answer 401/404/429: the browser logs those loads.
    // The simulated network loss shows as ERR_INTERNET_DISCONNECTED.
    const unexpected = problems.filter((p) => !/status of (401|404|429)|ERR_INTERNET_DISCONNECTED/.test(p));
    expect(unexpected).toEqual([]);
  });
});
