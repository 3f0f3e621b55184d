import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '../db/database.js';
import type { GroupRole } from '../db/generated/enums.js';
import { AppError } from '../errors/appError.js';
import { TOKEN_PREFIX, tokenSettingsFrom, tokensDisabledFor, type TokenScope } from '../integrations/tokens/tokenPolicy.js';
import type { Actor } from '../policies/actor.js';

// Personal access tokens: `atr_<lookup>_<secret>`. The lookup part (16 hex)
// finds the row without scanning; the secret (32 random bytes, base64url) is
// compared by its SHA-256 in constant time. A high-entropy secret needs no
// slow hash: nobody can guess it, so the stored hash only has to be one-way.

const TOKEN_SHAPE = /^atr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Writing last_used_at at most this often keeps a busy token from writing on every call. */
const LAST_USED_EVERY_MS = 60_000;

export const isPersonalToken = (token: string | undefined): token is string => Boolean(token?.startsWith(TOKEN_PREFIX));

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A fresh token and what is stored of it. */
export function mintPersonalToken(): { token: string; lookup: string; secretHash: string } {
  const lookup = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `${TOKEN_PREFIX}${lookup}_${secret}`, lookup, secretHash: hashSecret(secret) };
}

/** The part of a token safe to show again: it identifies it, it does not open anything. */
export const displayPrefix = (lookup: string) => `${TOKEN_PREFIX}${lookup}`;

interface TokenRow {
  id: string;
  name: string;
  secretHash: string;
  scopes: string[];
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  userId: string;
  email: string;
  role: Actor['role'];
  active: boolean;
  mustChangePassword: boolean;
  memberships: [string, GroupRole][];
  settings: unknown;
}

/**
 * Turns a personal access token into its user's Actor, for a route that
 * accepts tokens with `scope` (undefined: the route accepts none, e.g. the
 * console's and the token routes themselves). The token, its user, the user's
 * groups and the admin's switches are read together on every call, so a
 * revocation, an expiry, a deactivation or a switch applies at once.
 */
export async function actorFromPersonalToken(prisma: PrismaClient, token: string, scope: TokenScope | undefined): Promise<Actor> {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) throw new AppError('unauthenticated', 'Invalid access token');
  const [, lookup, secret] = match as unknown as [string, string, string];
  const [row] = await prisma.$queryRaw<TokenRow[]>`
    SELECT t.id::text AS id, t.name, t.secret_hash AS "secretHash", t.scopes, t.expires_at AS "expiresAt", t.revoked_at AS "revokedAt",
           t.last_used_at AS "lastUsedAt", u.id::text AS "userId", u.email, u.role::text AS role, u.active,
           u.must_change_password AS "mustChangePassword",
           coalesce(json_agg(json_build_array(m.group_id::text, m.role::text)) FILTER (WHERE m.group_id IS NOT NULL), '[]'::json) AS memberships,
           (SELECT value FROM settings WHERE key = 'tokens') AS settings
      FROM personal_access_tokens t
      JOIN users u ON u.id = t.user_id
      LEFT JOIN group_memberships m ON m.user_id = u.id
     WHERE t.lookup = ${lookup}
     GROUP BY t.id, u.id`;
  const presented = Buffer.from(hashSecret(secret), 'hex');
  if (!row || !timingSafeEqual(presented, Buffer.from(row.secretHash, 'hex'))) throw new AppError('unauthenticated', 'Invalid access token');
  if (row.revokedAt) throw new AppError('unauthenticated', 'This access token was revoked');
  if (new Date(row.expiresAt).getTime() <= Date.now()) throw new AppError('token_expired', 'This access token has expired');
  if (!row.active) throw new AppError('unauthenticated', 'Account not found or deactivated');
  const disabled = tokensDisabledFor(tokenSettingsFrom(row.settings), { role: row.role, groupIds: row.memberships.map(([g]) => g) });
  if (disabled) throw new AppError('unauthenticated', disabled);
  if (!scope) throw AppError.forbidden('Personal access tokens cannot be used here');
  if (!row.scopes.includes(scope)) throw AppError.forbidden(`This access token lacks the "${scope}" scope`);
  if (!row.lastUsedAt || Date.now() - new Date(row.lastUsedAt).getTime() > LAST_USED_EVERY_MS) {
    await prisma.personalAccessToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return {
    id: row.userId,
    email: row.email,
    role: row.role,
    mustChangePassword: row.mustChangePassword,
    groups: new Map(row.memberships),
    token: { id: row.id, name: row.name, scopes: row.scopes as TokenScope[] },
  };
}
