import type { Request, Response } from 'express';
import { appOf, LOGIN_COOKIE, LOGIN_COOKIE_PATH, safeReturnTo } from '../../../identity/oidc/loginTransaction.js';
import { signInWithClaims } from '../../../identity/oidc/signInWithClaims.js';
import { SsoError, ssoErrorMessages } from '../../../identity/oidc/ssoErrors.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from '../auth/session.js';
import { OidcCallbackQuery, OidcLoginQuery, OidcLogoutBody, OidcLogoutResponse, SsoPublicConfig } from './oidc.schema.js';

const LOGIN_PATH = '/api/v1/auth/oidc/login';
const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/** Where the provider sends people back: PUBLIC_URL when set, else the address this request came to. */
export function publicOrigin(s: Services, req: Request): string {
  return s.config.publicUrl ?? `${req.protocol}://${req.get('host')}`;
}
export const redirectUriFor = (s: Services, req: Request) => publicOrigin(s, req) + CALLBACK_PATH;

/** Every failure ends on the app's sign-in page, which shows the code's sentence. */
async function failTo(s: Services, req: Request, res: Response, returnTo: string, error: unknown): Promise<void> {
  const sso = error instanceof SsoError ? error : new SsoError('internal');
  if (!(error instanceof SsoError)) s.logger.error({ err: error }, 'single sign-on failed');
  else s.logger.warn({ code: sso.code, detail: sso.detail }, 'single sign-on refused');
  // Recorded before the redirect, so the trail is complete by the time the person sees the page.
  await s.audit
    .record({ action: 'auth.sso_failed', newValues: { code: sso.code, detail: sso.detail }, meta: requestMeta(req) })
    .catch((err: unknown) => s.logger.error({ err }, 'could not audit a failed single sign-on'));
  res.redirect(302, `${appOf(returnTo)}?sso_error=${sso.code}`);
}

export function oidcRoutes(s: Services, routes: RouteBuilder): void {
  const { sso } = s;
  const loginCookieOptions = () => ({
    httpOnly: true,
    secure: s.config.auth.cookieSecure,
    // Lax, not Strict: the provider's redirect back is a cross-site navigation that must carry it.
    sameSite: 'lax' as const,
    path: LOGIN_COOKIE_PATH,
  });

  routes.add({
    method: 'get',
    path: '/auth/oidc/config',
    summary: 'Whether single sign-on is on, the button text, and the sentences for sign-in errors',
    tags: ['auth'],
    access: 'public',
    responses: { 200: { description: 'Public sign-in settings', schema: SsoPublicConfig } },
    handler: async () => {
      const settings = await sso.settings.current();
      return {
        body: {
          enabled: settings.enabled,
          displayName: settings.displayName,
          loginUrl: LOGIN_PATH,
          passwordLogin: settings.enabled ? settings.passwordLogin : 'everyone',
          errors: ssoErrorMessages,
        },
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/auth/oidc/login',
    summary: 'Start single sign-on: redirects to the provider (Authorization Code with PKCE)',
    tags: ['auth'],
    access: 'public',
    query: OidcLoginQuery,
    responses: { 302: { description: "To the provider's sign-in, or back to the app's sign-in page with ?sso_error=" } },
    handler: async ({ req, res, query }) => {
      const returnTo = safeReturnTo(query.returnTo);
      try {
        const settings = await sso.settings.current();
        if (!settings.enabled) throw new SsoError('not_configured');
        const { transaction, cookie } = sso.transactions.begin(returnTo);
        const url = await sso.client.authorizationUrl(settings, redirectUriFor(s, req), transaction);
        res.cookie(LOGIN_COOKIE, cookie, { ...loginCookieOptions(), maxAge: sso.transactions.ttlMs });
        res.redirect(302, url.href);
      } catch (error) {
        await failTo(s, req, res, returnTo, error);
      }
    },
  });

  routes.add({
    method: 'get',
    path: '/auth/oidc/callback',
    summary: "The provider's redirect back: checks the answer, signs the person in and returns to the app",
    tags: ['auth'],
    access: 'public',
    query: OidcCallbackQuery,
    responses: { 302: { description: 'To the app, signed in (refresh cookie set), or to its sign-in page with ?sso_error=' } },
    handler: async ({ req, res }) => {
      const transaction = sso.transactions.read((req.cookies as Record<string, string | undefined>)[LOGIN_COOKIE]);
      // One use: a second callback with the same cookie finds nothing to complete.
      res.clearCookie(LOGIN_COOKIE, loginCookieOptions());
      const returnTo = transaction?.returnTo ?? '/';
      try {
        if (!transaction) throw new SsoError('login_expired');
        const settings = await sso.settings.current();
        if (!settings.enabled) throw new SsoError('not_configured');
        const redirectUri = redirectUriFor(s, req);
        const callbackUrl = new URL(redirectUri);
        callbackUrl.search = new URL(req.originalUrl, 'http://callback').search;
        const claims = await sso.client.completeLogin(settings, callbackUrl, transaction);
        const user = await signInWithClaims(s, settings, claims, requestMeta(req));
        setRefreshCookie(s, res, await s.sessions.start(user.id, requestMeta(req), claims.idToken));
        res.redirect(302, returnTo);
      } catch (error) {
        await failTo(s, req, res, returnTo, error);
      }
    },
  });

  routes.add({
    method: 'post',
    path: '/auth/oidc/logout',
    summary: "End the session of the refresh cookie and say where to end the provider's session",
    tags: ['auth'],
    access: 'public',
    body: OidcLogoutBody,
    responses: { 200: { description: 'Logged out', schema: OidcLogoutResponse } },
    handler: async ({ req, res, body }) => {
      const token = readRefreshCookie(req);
      const idToken = token ? await s.sessions.ssoIdTokenOf(token) : undefined;
      const user = token ? await s.sessions.end(token) : undefined;
      if (user) await s.audit.record({ actor: user, action: 'auth.logout', resource: { type: 'user', id: user.id }, newValues: { sso: idToken !== undefined }, meta: requestMeta(req) });
      clearRefreshCookie(s, res);
      let endSessionUrl: string | null = null;
      if (idToken !== undefined) {
        const settings = await sso.settings.current();
        const back = publicOrigin(s, req) + appOf(safeReturnTo(body?.returnTo));
        if (settings.enabled) endSessionUrl = await sso.client.endSessionUrl(settings, idToken, back);
      }
      return { body: { endSessionUrl } };
    },
  });
}
