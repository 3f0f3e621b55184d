import { displayPrefix, mintPersonalToken } from '../../auth/personalTokens.js';
import type { PersonalAccessToken } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { auditActor, type CommandContext } from '../../commands/context.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { DEFAULT_EXPIRY_DAYS, tokenSettingsFrom, tokensDisabledFor, type TokenScope, type TokenSettings } from './tokenPolicy.js';

const DAY_MS = 86_400_000;

export async function readTokenSettings(s: Pick<Services, 'prisma'>): Promise<TokenSettings> {
  return tokenSettingsFrom((await s.prisma.setting.findUnique({ where: { key: 'tokens' } }))?.value);
}

/** What may be shown of a token after its creation: never the secret or its hash. */
export function publicToken(t: PersonalAccessToken) {
  return {
    id: t.id,
    name: t.name,
    prefix: displayPrefix(t.lookup),
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

/** Creates a token for the actor; the token itself is returned here once and never stored. */
export async function createPersonalToken(
  s: Services,
  ctx: CommandContext,
  input: { name: string; expiresInDays?: number; scopes?: TokenScope[] },
): Promise<{ record: PersonalAccessToken; token: string }> {
  const settings = await readTokenSettings(s);
  const disabled = tokensDisabledFor(settings, { role: ctx.actor.role, groupIds: ctx.actor.groups.keys() });
  if (disabled) throw AppError.forbidden(disabled);
  const days = input.expiresInDays ?? Math.min(DEFAULT_EXPIRY_DAYS, settings.maxExpiryDays);
  if (days > settings.maxExpiryDays) {
    throw new AppError('validation_failed', `Tokens may last at most ${settings.maxExpiryDays} days`, {
      issues: [{ path: 'expiresInDays', message: `must be at most ${settings.maxExpiryDays}`, code: 'too_big' }],
    });
  }
  const scopes = [...new Set(input.scopes ?? (['chat'] as TokenScope[]))];
  const minted = mintPersonalToken();
  const record = await s.prisma.$transaction(async (tx) => {
    const created = await tx.personalAccessToken.create({
      data: { userId: ctx.actor.id, name: input.name, lookup: minted.lookup, secretHash: minted.secretHash, scopes, expiresAt: new Date(Date.now() + days * DAY_MS) },
    });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'token.create', resource: { type: 'personal_access_token', id: created.id }, newValues: { name: created.name, scopes, expiresAt: created.expiresAt }, meta: ctx.meta },
      tx,
    );
    return created;
  });
  return { record, token: minted.token };
}

export function listOwnTokens(s: Services, actor: CommandContext['actor']): Promise<PersonalAccessToken[]> {
  return s.prisma.personalAccessToken.findMany({ where: { userId: actor.id, revokedAt: null }, orderBy: { createdAt: 'desc' } });
}

/** Every user's tokens with their owners, for admins. */
export async function listAllTokens(s: Services, actor: CommandContext['actor'], query: { includeRevoked: boolean }) {
  authorize(actor, 'token.manageAll');
  const tokens = await s.prisma.personalAccessToken.findMany({ where: query.includeRevoked ? {} : { revokedAt: null }, orderBy: { createdAt: 'desc' }, take: 1000 });
  const owners = await s.prisma.user.findMany({ where: { id: { in: [...new Set(tokens.map((t) => t.userId))] } }, select: { id: true, email: true, name: true } });
  const byId = new Map(owners.map((o) => [o.id, o]));
  return tokens.map((t) => ({ token: t, owner: byId.get(t.userId) ?? { id: t.userId, email: '', name: '' } }));
}

/**
 * Revokes a token: the actor's own, or anyone's for an admin (`any`). Another
 * user's token is "not found" to a non-admin, so its existence does not leak.
 */
export async function revokePersonalToken(s: Services, ctx: CommandContext, tokenId: string, any = false): Promise<PersonalAccessToken> {
  if (any) authorize(ctx.actor, 'token.manageAll');
  return s.prisma.$transaction(async (tx) => {
    const found = await tx.personalAccessToken.findFirst({ where: { id: tokenId, ...(any ? {} : { userId: ctx.actor.id }) } });
    if (!found) throw AppError.notFound('Token');
    if (found.revokedAt) return found;
    const revoked = await tx.personalAccessToken.update({ where: { id: found.id }, data: { revokedAt: new Date(), revokedById: ctx.actor.id } });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'token.revoke', resource: { type: 'personal_access_token', id: found.id }, oldValues: { name: found.name, userId: found.userId }, meta: ctx.meta },
      tx,
    );
    return revoked;
  });
}
