import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CookieBrowser } from '../support/cookieBrowser.js';
import { createGroupRecord, createUserRecord, DEFAULT_PASSWORD } from '../support/factories.js';
import { listenOidcTestProvider, type OidcTestProvider } from '../support/oidcTestProvider.js';
import { createTestApp, type TestApp } from '../support/testApp.js';

// Single sign-on against a real OpenID Provider (oidc-provider) on loopback,
// driven over HTTP the way a browser would: redirects, the provider's login
// and consent forms, cookies per origin.

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

let idp: OidcTestProvider;
let t: TestApp;
let server: http.Server;
let origin: string;
let adminToken: string;

const basePolicy = {
  enabled: true,
  displayName: 'Test IdP',
  scopes: 'openid email profile',
  accountPolicy: 'anyone',
  allowedDomains: [] as string[],
  trustUnverifiedEmail: false,
  groupsClaim: 'groups',
  groupsByName: true,
  groupMapping: [] as { claim: string; group: string }[],
  roleMapping: [] as { claim: string; role: string }[],
  passwordLogin: 'everyone',
  breakGlassEmails: [] as string[],
};

async function saveSettings(overrides: Partial<typeof basePolicy> & { issuerUrl?: string } = {}) {
  const res = await t.http
    .put('/api/v1/identity/sso')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ ...basePolicy, issuerUrl: idp.issuer, clientId: idp.clientId, ...overrides } as Record<string, unknown>);
  expect(res.status).toBe(200);
  return res.body as Record<string, unknown>;
}

/** From the app's "Sign in with" link to where the browser lands back in the app. */
async function signIn(account: string, options: { browser?: CookieBrowser; returnTo?: string } = {}) {
  const browser = options.browser ?? new CookieBrowser();
  const start = `${origin}/api/v1/auth/oidc/login${options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''}`;
  const hops = await browser.follow(start, { fill: { login: account, password: 'any' }, stopAt: (url) => url.startsWith(origin) && !url.startsWith(`${origin}/api/`) });
  return { browser, landing: hops.at(-1)!.url, hops };
}

/** Stops at the provider's redirect back, so a test can change the callback before the app sees it. */
async function untilCallback(account: string) {
  const browser = new CookieBrowser();
  const hops = await browser.follow(`${origin}/api/v1/auth/oidc/login`, { fill: { login: account, password: 'any' }, stopAt: (url) => url.startsWith(`${origin}/api/v1/auth/oidc/callback`) });
  const callback = hops.at(-1)!.url;
  expect(callback).toContain('code=');
  return { browser, callback, loginCookie: browser.cookie(origin, 'atrium_oidc')! };
}

async function refreshWith(browser: CookieBrowser) {
  const cookie = browser.cookie(origin, 'atrium_refresh');
  if (!cookie) return undefined;
  return t.http.post('/api/v1/auth/refresh').set('Cookie', `atrium_refresh=${cookie}`);
}

const counts = async () => ({
  users: await t.prisma.user.count(),
  identities: await t.prisma.userIdentity.count(),
  sessions: await t.prisma.refreshTokenFamily.count(),
  memberships: await t.prisma.groupMembership.count(),
});

beforeAll(async () => {
  idp = await listenOidcTestProvider();
  t = await createTestApp({ OIDC_ISSUER_URL: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_DISPLAY_NAME: 'Test IdP', MASTER_KEY });
  server = http.createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  idp.start(origin);
  adminToken = (await t.signIn({ role: 'admin', email: 'root@example.com' })).token;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await idp.close();
  await t.close();
});

describe('single sign-on with OpenID Connect', () => {
  it('starts with the environment settings, and tells the sign-in page', async () => {
    const res = await t.http.get('/api/v1/auth/oidc/config');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ enabled: true, displayName: 'Test IdP', loginUrl: '/api/v1/auth/oidc/login', passwordLogin: 'everyone' });
    expect(res.body.errors.state_mismatch).toMatch(/does not belong/);

    const login = await t.http.get('/api/v1/auth/oidc/login');
    expect(login.status).toBe(302);
    const to = new URL(login.headers.location as string);
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('state')).toBeTruthy();
    expect(to.searchParams.get('nonce')).toBeTruthy();
    expect(to.searchParams.get('client_id')).toBe(idp.clientId);
  });

  it('creates the account at first sign-in and gives the same session as a password login', async () => {
    idp.accounts.set('alice', { email: 'Alice@Example.com', email_verified: true, name: 'Alice Liddell' });
    const before = await counts();
    const { browser, landing } = await signIn('alice', { returnTo: '/c/123?x=1' });
    expect(landing).toBe(`${origin}/c/123?x=1`);
    expect(browser.cookie(origin, 'atrium_oidc')).toBeUndefined();

    const session = await refreshWith(browser);
    expect(session?.status).toBe(200);
    expect(session!.body.user).toMatchObject({ email: 'alice@example.com', name: 'Alice Liddell', role: 'user', mustChangePassword: false });
    const me = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${session!.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(await counts()).toMatchObject({ users: before.users + 1, identities: before.identities + 1 });

    const user = await t.prisma.user.findUniqueOrThrow({ where: { email: 'alice@example.com' } });
    const actions = (await t.prisma.auditLog.findMany({ where: { resourceId: user.id } })).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['sso.user_create', 'auth.sso_login']));

    // The second sign-in finds the same account by the provider's subject.
    const again = await signIn('alice');
    expect(again.landing).toBe(`${origin}/`);
    expect((await counts()).users).toBe(before.users + 1);
  });

  it('goes back to the console when the sign-in started there, and refuses other origins', async () => {
    idp.accounts.set('carol', { email: 'carol@example.com', email_verified: true, name: 'Carol' });
    expect((await signIn('carol', { returnTo: '/admin/#/users' })).landing).toBe(`${origin}/admin/#/users`);
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      expect((await signIn('carol', { returnTo: evil })).landing).toBe(`${origin}/`);
    }
  });

  it('links an existing local account with the same verified email instead of duplicating it', async () => {
    const local = await createUserRecord(t.prisma, { email: 'dave@example.com', name: 'Dave Local' });
    idp.accounts.set('dave-sub', { email: 'dave@example.com', email_verified: true, name: 'Dave' });
    const before = await counts();
    const { browser } = await signIn('dave-sub');
    const session = await refreshWith(browser);
    expect(session!.body.user.id).toBe(local.id);
    expect(await counts()).toMatchObject({ users: before.users, identities: before.identities + 1 });
    expect(await t.prisma.auditLog.count({ where: { action: 'sso.user_link', resourceId: local.id } })).toBe(1);
    // The password still works: linking adds a way in, it does not take one away.
    expect((await t.http.post('/api/v1/auth/login').send({ email: 'dave@example.com', password: DEFAULT_PASSWORD })).status).toBe(200);
  });

  it('does not link a local account when the provider does not vouch for the email', async () => {
    await createUserRecord(t.prisma, { email: 'erin@example.com' });
    idp.accounts.set('erin-sub', { email: 'erin@example.com', email_verified: false, name: 'Erin' });
    const before = await counts();
    const { browser, landing } = await signIn('erin-sub');
    expect(landing).toBe(`${origin}/?sso_error=email_not_verified`);
    expect(browser.cookie(origin, 'atrium_refresh')).toBeUndefined();
    expect(await counts()).toEqual(before);
  });

  describe('refusals end on the readable error and create nothing', () => {
    it('a tampered state', async () => {
      idp.accounts.set('mallory', { email: 'mallory@example.com', email_verified: true });
      const before = await counts();
      const { browser, callback } = await untilCallback('mallory');
      const forged = new URL(callback);
      forged.searchParams.set('state', 'forged-state');
      const res = await browser.request(forged.href);
      expect(res.status).toBe(302);
      expect(res.location).toBe(`${origin}/?sso_error=state_mismatch`);
      expect(browser.cookie(origin, 'atrium_refresh')).toBeUndefined();
      expect(await counts()).toEqual(before);
    });

    it('a replayed code', async () => {
      idp.accounts.set('replay', { email: 'replay@example.com', email_verified: true });
      const { browser, callback, loginCookie } = await untilCallback('replay');
      const first = await browser.request(callback);
      expect(first.location).toBe(`${origin}/`);
      const after = await counts();

      // The same callback again, with the login cookie an attacker copied.
      const thief = new CookieBrowser();
      thief.setCookie(origin, 'atrium_oidc', loginCookie);
      const replay = await thief.request(callback);
      expect(replay.location).toBe(`${origin}/?sso_error=code_rejected`);
      expect(thief.cookie(origin, 'atrium_refresh')).toBeUndefined();
      expect(await counts()).toEqual(after);

      // Without the login cookie the callback does not even reach the provider.
      const bare = await new CookieBrowser().request(callback);
      expect(bare.location).toBe(`${origin}/?sso_error=login_expired`);
    });

    it('an ID token for another audience, and an expired one', async () => {
      idp.accounts.set('aud', { email: 'aud@example.com', email_verified: true });
      const before = await counts();
      idp.tamperIdToken = (claims) => ({ ...claims, aud: 'some-other-client' });
      expect((await signIn('aud')).landing).toBe(`${origin}/?sso_error=id_token_rejected`);
      const now = Math.floor(Date.now() / 1000);
      idp.tamperIdToken = (claims) => ({ ...claims, iat: now - 7200, exp: now - 3600 });
      expect((await signIn('aud')).landing).toBe(`${origin}/?sso_error=id_token_rejected`);
      expect(await counts()).toEqual(before);
      const failures = await t.prisma.auditLog.findMany({ where: { action: 'auth.sso_failed' }, orderBy: { id: 'desc' }, take: 2 });
      expect(failures.map((f) => (f.newValues as { code: string }).code)).toEqual(['id_token_rejected', 'id_token_rejected']);

      // The same account signs in fine once the token is left alone.
      expect((await signIn('aud')).landing).toBe(`${origin}/`);
    });

    it('an unknown person under "existing users only", and a domain not allowed', async () => {
      idp.accounts.set('stranger', { email: 'stranger@elsewhere.org', email_verified: true });
      await saveSettings({ accountPolicy: 'existing' });
      const before = await counts();
      expect((await signIn('stranger')).landing).toBe(`${origin}/?sso_error=not_provisioned`);
      await saveSettings({ accountPolicy: 'domains', allowedDomains: ['example.com'] });
      expect((await signIn('stranger')).landing).toBe(`${origin}/?sso_error=domain_not_allowed`);
      expect(await counts()).toEqual(before);

      // A listed domain gets its account; an existing user still gets in under "existing users only".
      idp.accounts.set('insider', { email: 'insider@example.com', email_verified: true });
      expect((await signIn('insider')).landing).toBe(`${origin}/`);
      await saveSettings({ accountPolicy: 'existing' });
      expect((await signIn('insider')).landing).toBe(`${origin}/`);
      await saveSettings();
    });

    it('a deactivated account', async () => {
      idp.accounts.set('gone', { email: 'gone@example.com', email_verified: true });
      expect((await signIn('gone')).landing).toBe(`${origin}/`);
      await t.prisma.user.update({ where: { email: 'gone@example.com' }, data: { active: false } });
      const { browser, landing } = await signIn('gone');
      expect(landing).toBe(`${origin}/?sso_error=account_deactivated`);
      expect(browser.cookie(origin, 'atrium_refresh')).toBeUndefined();
    });
  });

  it('syncs groups and role from the claims at every sign-in and keeps manual memberships', async () => {
    const engineering = await createGroupRecord(t.prisma, 'Engineering');
    const sales = await createGroupRecord(t.prisma, 'Sales');
    const support = await createGroupRecord(t.prisma, 'Support');
    const finance = await createGroupRecord(t.prisma, 'Finance');
    await saveSettings({ groupMapping: [{ claim: 'grp-sales-emea', group: 'Sales' }], roleMapping: [{ claim: 'atrium-admins', role: 'admin' }, { claim: 'atrium-managers', role: 'manager' }] });

    // Frank was put in Finance by hand before he ever signed in with the provider.
    const frank = await createUserRecord(t.prisma, { email: 'frank@example.com' });
    await t.http.put(`/api/v1/groups/${finance.id}/members/${frank.id}`).set('Authorization', `Bearer ${adminToken}`).send({ role: 'member' }).expect(204);
    idp.accounts.set('frank', { email: 'frank@example.com', email_verified: true, groups: ['Engineering', 'grp-sales-emea', 'Finance', 'atrium-admins', 'unknown-group'] });
    await signIn('frank');
    const groupsOf = async () =>
      Object.fromEntries((await t.prisma.groupMembership.findMany({ where: { userId: frank.id }, include: { group: true } })).map((m) => [m.group.name, m.source]));
    expect(await groupsOf()).toEqual({ Engineering: 'oidc', Sales: 'oidc', Finance: 'manual' });
    expect((await t.prisma.user.findUniqueOrThrow({ where: { id: frank.id } })).role).toBe('admin');

    // An admin adds him to Support by hand between the sign-ins.
    await t.http.put(`/api/v1/groups/${support.id}/members/${frank.id}`).set('Authorization', `Bearer ${adminToken}`).send({ role: 'member' }).expect(204);

    // The provider changes his groups: out of Sales, Finance and the admins, into the managers.
    idp.accounts.set('frank', { email: 'frank@example.com', email_verified: true, groups: ['Engineering', 'atrium-managers'] });
    const { browser } = await signIn('frank');
    expect(await groupsOf()).toEqual({ Engineering: 'oidc', Finance: 'manual', Support: 'manual' });
    const session = await refreshWith(browser);
    expect(session!.body.user.role).toBe('manager');
    expect(session!.body.user.groups.map((g: { name: string }) => g.name).sort()).toEqual(['Engineering', 'Finance', 'Support']);

    const audit = await t.prisma.auditLog.findMany({ where: { resourceId: frank.id, action: { in: ['sso.role_sync', 'sso.group_sync'] } }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.newValues && (a.newValues as { role?: string }).role])).toEqual([
      ['sso.group_sync', undefined],
      ['sso.role_sync', 'admin'],
      ['sso.group_sync', undefined],
      ['sso.role_sync', 'manager'],
    ]);
    expect((audit[2]!.newValues as { removed: string[] }).removed).toEqual([sales.id]);
    expect(engineering.id).toBeTruthy();
    await saveSettings();
  });

  it("signs out of Atrium and of the provider's session", async () => {
    idp.accounts.set('grace', { email: 'grace@example.com', email_verified: true });
    const { browser } = await signIn('grace');
    const refresh = browser.cookie(origin, 'atrium_refresh')!;
    const res = await browser.request(`${origin}/api/v1/auth/oidc/logout`, { method: 'POST', form: {} });
    expect(res.status).toBe(200);
    expect(browser.cookie(origin, 'atrium_refresh')).toBeUndefined();
    const end = new URL((JSON.parse(res.body) as { endSessionUrl: string }).endSessionUrl);
    expect(end.origin).toBe(idp.issuer);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${origin}/`);
    expect((await t.http.post('/api/v1/auth/refresh').set('Cookie', `atrium_refresh=${refresh}`)).status).toBe(401);

    // The provider asks to confirm, then sends the browser back to the app, its own session gone.
    const hops = await browser.follow(end.href, { fill: { logout: 'yes' }, stopAt: (url) => url.startsWith(origin) });
    expect(hops.at(-1)!.url).toBe(`${origin}/`);
    const again = await browser.follow(`${origin}/api/v1/auth/oidc/login`, { stopAt: (url) => url.startsWith(origin) && !url.startsWith(`${origin}/api/`) });
    expect(again.some((h) => /name="login"/.test(h.body))).toBe(true);

    // A password session has no provider session to end.
    const local = await t.signIn();
    const plain = await t.http.post('/api/v1/auth/oidc/logout').set('Cookie', local.cookie).send({});
    expect(plain.body).toEqual({ endSessionUrl: null });
  });

  it('switches password login off for everyone but the break-glass admin', async () => {
    const person = await createUserRecord(t.prisma, { email: 'henry@example.com' });
    await saveSettings({ passwordLogin: 'breakGlassOnly', breakGlassEmails: ['root@example.com'] });
    const refused = await t.http.post('/api/v1/auth/login').send({ email: person.email, password: DEFAULT_PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/Test IdP/);
    expect((await t.http.post('/api/v1/auth/login').send({ email: 'root@example.com', password: DEFAULT_PASSWORD })).status).toBe(200);
    expect((await t.http.get('/api/v1/auth/oidc/config')).body.passwordLogin).toBe('breakGlassOnly');
    await saveSettings();
    expect((await t.http.post('/api/v1/auth/login').send({ email: person.email, password: DEFAULT_PASSWORD })).status).toBe(200);
  });

  it('keeps the client secret write-only and tests discovery', async () => {
    const view = await t.http.get('/api/v1/identity/sso').set('Authorization', `Bearer ${adminToken}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).not.toContain(idp.clientSecret);
    expect(view.body).toMatchObject({ clientSecretSet: true, redirectUri: expect.stringMatching(/\/api\/v1\/auth\/oidc\/callback$/) });
    const row = await t.prisma.ssoConfig.findUniqueOrThrow({ where: { id: 'default' } });
    expect(Buffer.from(row.ciphertext!).toString('utf8')).not.toContain(idp.clientSecret);

    const ok = await t.http.post('/api/v1/identity/sso/test').set('Authorization', `Bearer ${adminToken}`);
    expect(ok.body).toMatchObject({ ok: true, issuer: idp.issuer, endSession: true });
    await saveSettings({ issuerUrl: 'http://127.0.0.1:9/nothing-here' });
    const bad = await t.http.post('/api/v1/identity/sso/test').set('Authorization', `Bearer ${adminToken}`);
    expect(bad.body.ok).toBe(false);
    expect(bad.body.problem).toMatch(/discovery/);
    expect((await signIn('alice')).landing).toBe(`${origin}/?sso_error=provider_unreachable`);
    await saveSettings();
    expect(await t.prisma.auditLog.count({ where: { action: 'sso.settings_update' } })).toBeGreaterThan(3);
  });
});
