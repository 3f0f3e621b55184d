import type { Request } from 'express';
import type { PrismaClient } from '../db/database.js';
import { AppError } from '../errors/appError.js';
import type { GroupRole } from '../db/generated/enums.js';
import type { Actor } from '../policies/actor.js';
import type { AccessClaims, AccessTokens } from './accessTokens.js';

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

/** What authentication needs of a user's row: who they are, whether they may sign in, and their groups. */
export interface AccountState {
  id: string;
  email: string;
  role: Actor['role'];
  active: boolean;
  mustChangePassword: boolean;
  passwordChangedAtMs: number;
  groups: ReadonlyMap<string, GroupRole>;
}

/** The user and their memberships in one round trip (this runs for every request that is not served from the cache). */
export async function readAccountState(prisma: PrismaClient, userId: string): Promise<AccountState | undefined> {
  const [user] = await prisma.$queryRaw<
    { id: string; email: string; role: Actor['role']; active: boolean; mustChangePassword: boolean; passwordChangedAt: Date; memberships: [string, GroupRole][] }[]
  >`
    SELECT u.id::text AS id, u.email, u.role::text AS role, u.active, u.must_change_password AS "mustChangePassword",
           u.password_changed_at AS "passwordChangedAt",
           coalesce(json_agg(json_build_array(m.group_id::text, m.role::text)) FILTER (WHERE m.group_id IS NOT NULL), '[]'::json) AS memberships
      FROM users u LEFT JOIN group_memberships m ON m.user_id = u.id
     WHERE u.id = ${userId}::uuid
     GROUP BY u.id`;
  if (!user) return undefined;
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    active: user.active,
    mustChangePassword: user.mustChangePassword,
    passwordChangedAtMs: new Date(user.passwordChangedAt).getTime(),
    groups: new Map(user.memberships),
  };
}

/** The checks every access token passes against its user's current state: active, and issued after the last password change. */
export function actorFromAccount(claims: AccessClaims, user: AccountState | undefined): Actor {
  if (!user || !user.active) throw new AppError('unauthenticated', 'Account not found or deactivated');
  // Tokens issued before the last password change are void.
  if (claims.issuedAtMs < user.passwordChangedAtMs) {
    throw new AppError('unauthenticated', 'Session ended by a password change; please log in again');
  }
  return { id: user.id, email: user.email, role: user.role, mustChangePassword: user.mustChangePassword, groups: user.groups };
}

/**
 * Turns an access token into an Actor. The user row is read each time (or
 * taken from `accounts`, see auth/accountCache.ts) so that deactivation, role
 * changes and password resets apply at once rather than when the token expires.
 */
export async function actorFromToken(
  deps: { prisma: PrismaClient; accessTokens: AccessTokens; accounts?: { get(userId: string): Promise<AccountState | undefined> } },
  token: string | undefined,
): Promise<Actor> {
  if (!token) throw new AppError('unauthenticated', 'Authentication required');
  const claims = deps.accessTokens.verify(token);
  const user = deps.accounts ? await deps.accounts.get(claims.sub) : await readAccountState(deps.prisma, claims.sub);
  return actorFromAccount(claims, user);
}

export function requirePasswordState(actor: Actor, allowPasswordChange: boolean): Actor {
  if (actor.mustChangePassword && !allowPasswordChange) {
    throw new AppError('password_change_required', 'Change your temporary password before continuing');
  }
  return actor;
}
