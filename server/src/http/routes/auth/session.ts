import type { Request, Response } from 'express';
import type { User } from '../../../db/generated/client.js';
import type { Services } from '../../../services.js';
import { presentUser, userWithGroups } from '../../presenters/user.js';

export const REFRESH_COOKIE = 'atrium_refresh';
const COOKIE_PATH = '/api/v1/auth';

export function readRefreshCookie(req: Request): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function setRefreshCookie(s: Services, res: Response, token: string): void {
  res.cookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    secure: s.config.auth.cookieSecure,
    sameSite: 'strict',
    path: COOKIE_PATH,
    maxAge: s.config.auth.refreshTokenTtlDays * 86_400_000,
  });
}

export function clearRefreshCookie(s: Services, res: Response): void {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure: s.config.auth.cookieSecure, sameSite: 'strict', path: COOKIE_PATH });
}

/** The body every successful login, refresh and password change answers with. */
export async function sessionBody(s: Services, user: User) {
  const full = await s.prisma.user.findUniqueOrThrow({ where: { id: user.id }, include: userWithGroups });
  return {
    accessToken: s.accessTokens.sign(full),
    tokenType: 'Bearer' as const,
    expiresIn: s.accessTokens.ttlSeconds,
    user: presentUser(full),
  };
}
