import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { fixture } from '../support/knowledge.js';
import { startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, signInToChat, watchedPage } from './support/browser.js';

// Attachments in Chromium against a real server and worker: attach a PDF with
// the composer's button (the conversation is created for it), paste a
// screenshot, watch the chips go from uploading to ready, remove the
// screenshot before sending, ask, and see the answer cite the PDF with the
// passage opening under it.

const PDF = 'pdf/pdfjs__pdfjs_wikipedia.pdf';
const SCREENSHOT = 'ocr/tesseractjs__testocr.png';

describe('attachments in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let staff: { id: string; email: string; token: string };
  let assistantId: string;
  const problems: string[][] = [];

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
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

  it('attaches by button and paste, shows progress, removes one, and cites the other in the answer', async () => {
    const page = await openPage();
    await page.goto(`${t.url}/new/${assistantId}`);
    await signInToChat(page, staff.email, DEFAULT_PASSWORD);
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.waitFor();

    // By button: the file chooser opens, the chip appears, the conversation is created for it.
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles(fixture(PDF));
    const chips = page.getByRole('list', { name: 'Attachments' });
    const pdfChip = chips.getByRole('listitem').filter({ hasText: 'pdfjs__pdfjs_wikipedia.pdf' });
    await pdfChip.waitFor();
    await page.waitForURL(/\/c\/[0-9a-f-]{36}$/);
    // Progress is shown while it is read (the send button waits), then it is ready.
    const seen = new Set<string>();
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const state = await pdfChip.getAttribute('data-state');
      if (state) seen.add(state);
      if (state === 'ready') break;
      if (state === 'reading') expect(await page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
      await page.waitForTimeout(50);
    }
    expect(seen.has('ready')).toBe(true);
    expect([...seen].some((s) => s === 'uploading' || s === 'reading')).toBe(true);
    await pdfChip.getByText('Ready').waitFor();

    // By paste: a screenshot on the clipboard becomes an attachment.
    const png = fs.readFileSync(fixture(SCREENSHOT)).toString('base64');
    await composer.focus();
    await page.evaluate((data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
      document.querySelector('textarea')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, png);
    const shotChip = chips.getByRole('listitem').filter({ hasText: 'screenshot.png' });
    await shotChip.waitFor();
    await shotChip.getByText('Ready').waitFor({ timeout: 60_000 });
    await screenshot(page, 'web-attachments');

    // Removed before sending: gone from the composer and from the conversation.
    const conversationId = /\/c\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
    await shotChip.getByRole('button', { name: 'Remove screenshot.png' }).click();
    await shotChip.waitFor({ state: 'detached' });
    for (let i = 0; i < 50; i++) {
      const names = (await t.json(staff.token, 'GET', `/api/v1/conversations/${conversationId}/attachments`)).body.data.map((a: { name: string }) => a.name);
      if (names.length === 1) break;
      await page.waitForTimeout(100);
    }
    expect((await t.json(staff.token, 'GET', `/api/v1/conversations/${conversationId}/attachments`)).body.data.map((a: { name: string }) => a.name)).toEqual(['pdfjs__pdfjs_wikipedia.pdf']);

    // Ask: the answer cites the attached PDF and its passage opens under it.
    t.openai.chat.script({ text: 'PDF.js is a JavaScript library that renders PDF files [1].' });
    await composer.fill('What is this document about?');
    await composer.press('Enter');
    await chips.waitFor({ state: 'detached' });
    const answer = page.locator('article.message--assistant').last();
    const sources = answer.getByRole('region', { name: 'Sources' });
    const source = sources.getByRole('listitem').filter({ hasText: 'pdfjs__pdfjs_wikipedia.pdf' }).first();
    await source.waitFor({ timeout: 30_000 });
    await source.getByText('attached').waitFor();
    await source.locator('summary').click();
    await source.getByRole('button', { name: 'Download pdfjs__pdfjs_wikipedia.pdf' }).waitFor();
    expect(await source.locator('blockquote').innerText()).toMatch(/pdf/i);
    const sent = t.openai.chatRequests().at(-1)!.body;
    expect(sent.messages[0]!.content).toMatch(/\[1\] pdfjs__pdfjs_wikipedia\.pdf, page 1/);
    expect(sent.messages[0]!.content).not.toMatch(/12 point text/i);
  }, 180_000);

  it('ran without page errors or CSP violations', () => {
    expect(problems.flat().filter((p) => !/Failed to load resource|status of (401|404)/.test(p))).toEqual([]);
  });
});
