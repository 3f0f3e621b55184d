import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtpTestServer.js';
import { launchBrowser, screenshot, signInToConsole, watchedPage } from './support/browser.js';

// Branding and self-registration where people see them: the chat app's and
// the console's sign-in pages in headless Chromium (the built apps) against
// a real server and database. Without SMTP, a sign-up waits for approval; with
// SMTP (a real SMTP server on loopback), for the mailed confirmation link.

const BRAND = { name: 'Acme Help Desk', accentColor: '#aa3300' };
const ACCENT_RGB = 'rgb(170, 51, 0)';
const PASSWORD = 'a good password 7';

describe('branding and sign-up in the browser', () => {
  let t: ChatTestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let admin: { id: string; email: string; token: string };

  beforeAll(async () => {
    t = await startChatServer();
    admin = await t.login({ role: 'admin', name: 'Ada Admin' });
    expect((await t.json(admin.token, 'PUT', '/api/v1/settings/branding', BRAND)).status).toBe(200);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1200, height: 850 } });
    ({ page, problems } = await watchedPage(context));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const background = (p: Page, selector: string) => p.locator(selector).first().evaluate((el) => getComputedStyle(el).backgroundColor);

  it('shows the product name and accent colour on the chat app’s sign-in page, with no sign-up link while invite-only', async () => {
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: `Sign in to ${BRAND.name}` }).waitFor();
    expect(await page.title()).toBe(`Sign in · ${BRAND.name}`);
    expect(await background(page, 'button[type=submit]')).toBe(ACCENT_RGB);
    expect(await page.getByRole('link', { name: 'Create an account' }).count()).toBe(0);
  });

  it('shows the product name and accent colour on the console’s sign-in page', async () => {
    const consolePage = await context.newPage();
    await consolePage.goto(`${t.url}/admin/#/login`);
    await consolePage.getByTestId('brand-header').getByText(`${BRAND.name} console`).waitFor();
    expect(await consolePage.title()).toBe(`${BRAND.name} console`);
    expect(await background(consolePage, 'button[type=submit]')).toBe(ACCENT_RGB);
    await screenshot(consolePage, 'console-sign-in-branded');
    await consolePage.close();
  });

  it('offers sign-up once the policy opens it; a listed domain signs up, waits for approval, then signs in', async () => {
    const policy = { policy: 'domains', allowedDomains: ['example.org'], defaultRole: 'user' };
    expect((await t.json(admin.token, 'PUT', '/api/v1/settings/registration', policy)).status).toBe(200);
    // The sign-in configuration may be cached for a minute; a new visit (fresh context) reads it anew.
    await context.close();
    context = await browser.newContext({ viewport: { width: 1200, height: 850 } });
    ({ page, problems } = await watchedPage(context));

    await page.goto(`${t.url}/`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: `Create an account on ${BRAND.name}` }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-up');

    await page.getByLabel('Name').fill('Nina New');
    await page.getByLabel('Work e-mail').fill('nina@elsewhere.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').getByText('not open to this e-mail domain').waitFor();

    await page.getByLabel('Work e-mail').fill('nina@example.org');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    await screenshot(page, 'chat-sign-up-waiting');
    const nina = await t.server.services.prisma.user.findUniqueOrThrow({ where: { email: 'nina@example.org' } });
    expect(nina).toMatchObject({ name: 'Nina New', role: 'user', pending: 'approval' });

    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.getByLabel('Email').fill('nina@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Account not active yet').waitFor();

    // The admin approves in the console's user list.
    const consolePage = await context.newPage();
    await consolePage.goto(`${t.url}/admin/#/login`);
    await signInToConsole(consolePage, admin.email, 'correct horse battery 42');
    await consolePage.getByTestId('product-name').getByText(BRAND.name).waitFor();
    await consolePage.goto(`${t.url}/admin/#/users`);
    await consolePage.getByText('pending approval').waitFor();
    await consolePage.getByRole('button', { name: 'Approve nina@example.org' }).click();
    await consolePage.getByText('nina@example.org approved').waitFor();
    expect((await t.server.services.prisma.user.findUniqueOrThrow({ where: { id: nina.id } })).pending).toBeNull();
    // The policy as the settings page shows it.
    await consolePage.goto(`${t.url}/admin/#/settings`);
    expect(await consolePage.getByLabel('Allowed e-mail domains').inputValue()).toBe('example.org');
    await consolePage.getByTestId('setting-registration').scrollIntoViewIfNeeded();
    await screenshot(consolePage, 'console-registration-policy');
    await consolePage.close();

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('product-name').getByText(BRAND.name).waitFor();
    expect(await page.title()).toContain(BRAND.name);
    expect(problems.filter((p) => !/Failed to load resource.*40[13]/.test(p))).toEqual([]);
  });
});

describe('sign-up with e-mail confirmation in the browser', () => {
  let t: ChatTestServer;
  let smtp: SmtpTestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    // The server's port is not known before it starts; links name this origin and are followed on the real one.
    t = await startChatServer({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://atrium.example.test' });
    const admin = await t.login({ role: 'admin' });
    await t.json(admin.token, 'PUT', '/api/v1/settings/registration', { policy: 'domains', allowedDomains: ['example.org'] });
    browser = await launchBrowser();
    ({ page, problems } = await watchedPage(await browser.newContext({ viewport: { width: 1200, height: 850 } })));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  it('tells the person to check their e-mail; the mailed link activates the account on the confirmation page', async () => {
    await page.goto(`${t.url}/sign-up`);
    await page.getByLabel('Name').fill('Omar Owner');
    await page.getByLabel('Work e-mail').fill('omar@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();

    const mail = await smtp.nextMailTo('omar@example.org');
    const link = new URL(/https:\/\/atrium\.example\.test\/verify-email\?token=[\w-]+/.exec(mail.text)![0]);
    await page.goto(`${t.url}${link.pathname}${link.search}`);
    await page.getByText('Your address is confirmed').waitFor();
    await page.getByRole('button', { name: 'Go to sign in' }).click();
    await page.getByLabel('Email').fill('omar@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('product-name').waitFor();

    // The same link a second time is refused, and says so.
    await page.goto(`${t.url}${link.pathname}${link.search}`);
    await page.getByRole('alert').getByText('invalid, expired or already used').waitFor();
    expect(problems.filter((p) => !/Failed to load resource.*40[0-3]/.test(p))).toEqual([]);
  });
});
