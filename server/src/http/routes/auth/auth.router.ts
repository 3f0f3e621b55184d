import { authenticateLocal, createPassport } from '../../../auth/passport.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { LoginBody, SessionResponse } from './auth.schema.js';
import { clearRefreshCookie, readRefreshCookie, sessionBody, setRefreshCookie } from './session.js';
import { AppError } from '../../../errors/appError.js';
import { assertPasswordLoginAllowed } from '../../../identity/oidc/passwordLogin.js';

export function authRoutes(s: Services, routes: RouteBuilder): void {
  const passport = createPassport(s);

  routes.add({
    method: 'post',
    path: '/auth/login',
    summary: 'Log in with email and password; sets the refresh cookie',
    tags: ['auth'],
    access: 'public',
    body: LoginBody,
    responses: { 200: { description: 'Logged in', schema: SessionResponse } },
    handler: async ({ req, res, body }) => {
      const ip = req.ip ?? 'unknown';
      await s.loginLimiter.assertAllowed(ip);
      await assertPasswordLoginAllowed(s, body.email);
      const user = await authenticateLocal(passport, req, res).catch(async (error: unknown) => {
        if (error instanceof AppError && (error.code === 'invalid_credentials' || error.code === 'account_locked')) {
          await s.loginLimiter.recordFailure(ip);
        }
        throw error;
      });
      setRefreshCookie(s, res, await s.sessions.start(user.id, requestMeta(req)));
      return { body: await sessionBody(s, user) };
    },
  });

  routes.add({
    method: 'post',
    path: '/auth/refresh',
    summary: 'Exchange the refresh cookie for a new access token (the cookie rotates)',
    tags: ['auth'],
    access: 'public',
    responses: { 200: { description: 'New access token', schema: SessionResponse } },
    handler: async ({ req, res }) => {
      const token = readRefreshCookie(req);
      if (!token) throw new AppError('unauthenticated', 'No session; please log in');
      try {
        const { user, token: next } = await s.sessions.rotate(token, requestMeta(req));
        setRefreshCookie(s, res, next);
        return { body: await sessionBody(s, user) };
      } catch (error) {
        clearRefreshCookie(s, res);
        throw error;
      }
    },
  });

  routes.add({
    method: 'post',
    path: '/auth/logout',
    summary: 'End the session of the refresh cookie',
    tags: ['auth'],
    access: 'public',
    responses: { 204: { description: 'Logged out' } },
    handler: async ({ req, res }) => {
      const token = readRefreshCookie(req);
      const user = token ? await s.sessions.end(token) : undefined;
      if (user) await s.audit.record({ actor: user, action: 'auth.logout', resource: { type: 'user', id: user.id }, meta: requestMeta(req) });
      clearRefreshCookie(s, res);
      return { status: 204 };
    },
  });
}
