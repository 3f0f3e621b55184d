import type { Request } from 'express';
import type { PrismaClient } from '../db/database.js';
import { AppError } from '../errors/appError.js';
import type { GroupRole } from '../db/generated/enums.js';
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
  // The user and their memberships in one round trip: this runs on every request and socket handshake.
  const [user] = await deps.prisma.$queryRaw<
    { id: string; email: string; role: Actor['role']; active: boolean; mustChangePassword: boolean; passwordChangedAt: Date; memberships: [string, GroupRole][] }[]
  >`
    SELECT u.id::text AS id, u.email, u.role::text AS role, u.active, u.must_change_password AS "mustChangePassword",
           u.password_changed_at AS "passwordChangedAt",
           coalesce(json_agg(json_build_array(m.group_id::text, m.role::text)) FILTER (WHERE m.group_id IS NOT NULL), '[]'::json) AS memberships
      FROM users u LEFT JOIN group_memberships m ON m.user_id = u.id
     WHERE u.id = ${claims.sub}::uuid
     GROUP BY u.id`;
  if (!user || !user.active) throw new AppError('unauthenticated', 'Account not found or deactivated');
  // Tokens issued before the last password change are void.
  if (claims.issuedAtMs < new Date(user.passwordChangedAt).getTime()) {
    throw new AppError('unauthenticated', 'Session ended by a password change; please log in again');
  }
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    mustChangePassword: user.mustChangePassword,
    groups: new Map(user.memberships),
  };
}

export function requirePasswordState(actor: Actor, allowPasswordChange: boolean): Actor {
  if (actor.mustChangePassword && !allowPasswordChange) {
    throw new AppError('password_change_required', 'Change your temporary password before continuing');
  }
  return actor;
}
