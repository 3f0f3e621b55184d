import type { Browser, Page } from 'playwright-core';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { eventually, startChatServer, TEST_MODEL, type ChatTestServer } from '../support/chatServer.js';
import { launchBrowser, screenshot, watchedPage } from './support/browser.js';

// Flows in the browser: an admin turns an assistant into a flow in the
// console (the generate → critique → refine template, a second model for the
// critique, a step moved), then a member of staff asks in the chat app and
// sees the earlier steps collapsed above the answer, live and after a reload.

describe('flows in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let admin: { id: string; email: string; token: string };
  let staff: { id: string; email: string };
  let assistantId: string;
  let criticId: string;
  let generatorId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await startChatServer({ CHAT_TITLES: 'false' });
    admin = await t.login({ role: 'admin', name: 'Ada Admin' });
    staff = await t.login({ role: 'user', name: 'Sam Staff' });
    const group = await t.json(admin.token, 'POST', '/api/v1/groups', { name: 'Writers' });
    await t.json(admin.token, 'PUT', `/api/v1/groups/${group.body.id}/members/${staff.id}`, { role: 'member' });
    const models = (await t.json(admin.token, 'GET', '/api/v1/models')).body.data as { id: string; name: string; providerId: string }[];
    const generator = models.find((m) => m.name === TEST_MODEL)!;
    generatorId = generator.id;
    criticId = (await t.json(admin.token, 'POST', '/api/v1/models', { providerId: generator.providerId, name: 'critic-model', contextWindow: 32_000 })).body.id;
    assistantId = (await t.json(admin.token, 'POST', '/api/v1/assistants', { name: 'Careful writer', modelId: generatorId, groupIds: [group.body.id] })).body.id;
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const watched = await watchedPage(context);
    problems.push(...watched.problems);
    return watched.page;
  }

  it('edits the flow in the console: the template, another model for a step, a step moved', async () => {
    const page = await newPage();
    await page.goto(`${t.url}/admin/#/login`);
    await page.locator('input[name=email]').fill(admin.email);
    await page.locator('input[name=password]').fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Welcome, Ada Admin').waitFor();
    await page.goto(`${t.url}/admin/#/assistants/${assistantId}`);
    await page.getByRole('tab', { name: 'Flow' }).click();
    await page.getByText('One model answers.', { exact: false }).waitFor();
    await page.getByRole('button', { name: /Use the generate → critique → refine template/ }).click();
    await page.getByText('The assistant answers in 3 steps', { exact: false }).waitFor();

    // The critique step gets another model.
    const lines = page.locator('.RaSimpleFormIterator-line:visible');
    expect(await lines.count()).toBe(3);
    await lines.nth(1).getByRole('combobox').click();
    await page.getByRole('option', { name: /critic-model/ }).click();
    // A fourth step added, then moved up above "refine" and removed again: the form's ordered editing.
    await page.getByRole('button', { name: 'Add' }).click();
    await page.locator('input[name="flowSteps.3.label"]').fill('check');
    await lines.nth(3).getByRole('button', { name: /move up/i }).click();
    const labels = () => page.locator('input[name$=".label"][name^="flowSteps."]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(await labels()).toEqual(['generate', 'critique', 'check', 'refine']);
    // The remove button shows on hover.
    await lines.nth(2).hover();
    await lines.nth(2).getByRole('button', { name: /remove/i }).click();
    expect(await labels()).toEqual(['generate', 'critique', 'refine']);
    await page.mouse.move(0, 0);
    await page.getByText('The assistant answers in 3 steps', { exact: false }).scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-flow');
    await page.getByRole('button', { name: 'Save' }).click();

    const saved = await eventually(
      () => t.server.services.prisma.assistant.findUniqueOrThrow({ where: { id: assistantId } }),
      (a) => Array.isArray(a.flowSteps),
    );
    expect((saved.flowSteps as { label: string; modelId: string }[]).map((s) => [s.label, s.modelId])).toEqual([
      ['generate', generatorId],
      ['critique', criticId],
      ['refine', generatorId],
    ]);
  });

  it('shows the earlier steps collapsed above the answer, live and after a reload', async () => {
    const page = await newPage();
    await page.goto(t.url);
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password', { exact: true }).fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /Careful writer/ }).click();

    t.openai.chat.script(
      { text: 'Draft: the office opens at 9.', chunkDelayMs: 20 },
      { text: 'Critique: say which days.', chunkDelayMs: 20 },
      { text: 'The office opens at 9 on weekdays.', chunkDelayMs: 20 },
    );
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('When does the office open?');
    await composer.press('Enter');
    const answer = page.locator('article.message--assistant').last();
    await answer.getByText('The office opens at 9 on weekdays.').waitFor();
    const steps = answer.locator('details.flow-step');
    expect(await steps.count()).toBe(2);
    await answer.locator('details.flow-step[data-step="critique"]').getByText(/critic-model · done/).waitFor();
    // Collapsed: the step's text is not shown until opened.
    expect(await steps.evaluateAll((nodes) => nodes.map((n) => (n as HTMLDetailsElement).open))).toEqual([false, false]);
    expect(await answer.getByText('Critique: say which days.').isVisible()).toBe(false);
    await steps.nth(1).locator('summary').click();
    await answer.getByText('Critique: say which days.').waitFor();
    await screenshot(page, 'web-flow-steps');

    await page.reload();
    const reloaded = page.locator('article.message--assistant').last();
    await reloaded.getByText('The office opens at 9 on weekdays.').waitFor();
    expect(await reloaded.locator('details.flow-step').count()).toBe(2);
    await reloaded.locator('details.flow-step[data-step="generate"] summary').getByText('Step 1: generate').waitFor();
  });

  it('logged no errors in the browser', () => {
    expect(problems).toEqual([]);
  });
});
