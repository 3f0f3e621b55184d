import type { Request } from 'express';
import type { PrismaClient } from '../db/database.js';
import { AppError } from '../errors/appError.js';
import type { Actor } from '../policies/actor.js';
import type { AccessTokens } from './accessTokens.js';

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

/**
 * Turns an access token into an Actor. The user row is read on every request
 * so that deactivation, role changes and password resets apply at once rather
 * than when the token expires.
 */
export async function actorFromToken(
  deps: { prisma: PrismaClient; accessTokens: AccessTokens },
  token: string | undefined,
): Promise<Actor> {
  if (!token) throw new AppError('unauthenticated', 'Authentication required');
  const claims = deps.accessTokens.verify(token);
  const user = await deps.prisma.user.findUnique({
    where: { id: claims.sub },
    include: { memberships: { select: { groupId: true, role: true } } },
  });
  if (!user || !user.active) throw new AppError('unauthenticated', 'Account not found or deactivated');
  // Tokens issued before the last password change are void.
  if (claims.issuedAtMs < user.passwordChangedAt.getTime()) {
    throw new AppError('unauthenticated', 'Session ended by a password change; please log in again');
  }
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    mustChangePassword: user.mustChangePassword,
    groups: new Map(user.memberships.map((m) => [m.groupId, m.role])),
  };
}

export function requirePasswordState(actor: Actor, allowPasswordChange: boolean): Actor {
  if (actor.mustChangePassword && !allowPasswordChange) {
    throw new AppError('password_change_required', 'Change your temporary password before continuing');
  }
  return actor;
}
