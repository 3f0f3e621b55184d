import type { Browser, Page } from 'playwright-core';
import { startChatServer, type ChatTestServer } from '../support/chatServer.js';
import { listenOidcTestProvider, type OidcTestProvider } from '../support/oidcTestProvider.js';
import { launchBrowser } from './support/browser.js';

// Single sign-on in Chromium: from the chat app's and the console's sign-in
// pages through a real OpenID Provider's (oidc-provider) login and consent
// screens, back to a signed-in app; and a refusal shown on the sign-in page.

describe('single sign-on in the browser', () => {
  let idp: OidcTestProvider;
  let t: ChatTestServer;
  let browser: Browser;

  beforeAll(async () => {
    idp = await listenOidcTestProvider();
    t = await startChatServer({ OIDC_ISSUER_URL: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_DISPLAY_NAME: 'Acme ID' });
    idp.start(t.url);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
  });

  /** The provider's development screens: any password is accepted for a known login. */
  async function throughProvider(page: Page, login: string) {
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  it('signs a new person in from the chat app and lands in the chat', async () => {
    idp.accounts.set('nina', { email: 'nina@example.com', email_verified: true, name: 'Nina Provider' });
    const context = await browser.newContext();
    const page = await context.newPage();
    // Only the app's own pages: the provider's development screens load a web font from the internet.
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && page.url().startsWith(t.url)) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Atrium' }).waitFor();
    await page.getByRole('link', { name: 'Sign in with Acme ID' }).click();
    await throughProvider(page, 'nina');
    await page.getByRole('button', { name: /^Account:/ }).waitFor();
    expect(new URL(page.url()).origin).toBe(t.url);
    const user = await t.server.services.prisma.user.findUniqueOrThrow({ where: { email: 'nina@example.com' } });
    expect(user.name).toBe('Nina Provider');
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
    await context.close();
  });

  it('shows a refusal on the sign-in page and creates nothing', async () => {
    await t.server.services.prisma.ssoConfig.deleteMany();
    const admin = await t.login({ role: 'admin' });
    const settings = (await t.json(admin.token, 'GET', '/api/v1/identity/sso')).body;
    const { clientSecretSet: _s, secretHint: _h, saved: _v, redirectUri: _r, ...editable } = settings;
    expect((await t.json(admin.token, 'PUT', '/api/v1/identity/sso', { ...editable, accountPolicy: 'domains', allowedDomains: ['example.com'] })).status).toBe(200);

    idp.accounts.set('olaf', { email: 'olaf@elsewhere.org', email_verified: true });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${t.url}/`);
    await page.getByRole('link', { name: 'Sign in with Acme ID' }).click();
    await throughProvider(page, 'olaf');
    const alert = page.locator('[data-sso-error="domain_not_allowed"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/email domain are not allowed/);
    expect(await t.server.services.prisma.user.count({ where: { email: 'olaf@elsewhere.org' } })).toBe(0);
    await context.close();
  });

  it('links an admin’s account from the console sign-in and opens the console', async () => {
    const admin = await t.login({ role: 'admin', email: 'pat.admin@example.com' });
    idp.accounts.set('pat', { email: 'pat.admin@example.com', email_verified: true, name: 'Pat' });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${t.url}/admin/`);
    await page.getByRole('link', { name: 'Sign in with Acme ID' }).click();
    await throughProvider(page, 'pat');
    await page.getByRole('menuitem', { name: 'Identity' }).click();
    await page.getByTestId('sso-settings').waitFor();
    expect(await page.getByTestId('redirect-uri').textContent()).toBe(`${t.url}/api/v1/auth/oidc/callback`);
    expect(await t.server.services.prisma.userIdentity.count({ where: { userId: admin.id } })).toBe(1);

    // The SCIM token screen: generated, shown once, then only its hint.
    await page.getByLabel('Token name (e.g. Entra ID)').fill('Entra ID');
    await page.getByRole('button', { name: 'Generate token' }).click();
    const secret = (await page.getByTestId('scim-secret').textContent())!;
    expect(secret).toMatch(/^scim_/);
    const scim = await fetch(`${t.url}/api/scim/v2/Users?filter=userName eq "pat.admin@example.com"`, { headers: { authorization: `Bearer ${secret}` } });
    expect(((await scim.json()) as { totalResults: number }).totalResults).toBe(1);
    await page.reload();
    await page.getByTestId('scim-tokens').getByText('Entra ID').waitFor();
    expect(await page.getByTestId('scim-secret').count()).toBe(0);
    await context.close();
  });
});
