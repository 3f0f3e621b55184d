import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/database.js';
import type { User } from '../db/generated/client.js';
import { AppError } from '../errors/appError.js';
import type { AuditLog, RequestMeta } from '../governance/auditLog.js';

const hashToken = (raw: string) => createHash('sha256').update(raw).digest('hex');

/**
 * Rotating refresh tokens grouped in families (one per login). Only a hash
 * of each token is stored. Presenting a token that was already rotated means
 * it was copied: the whole family is revoked and the owner must log in again.
 */
export class RefreshSessions {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditLog,
    readonly ttlDays: number,
  ) {}

  private expiry(): Date {
    return new Date(Date.now() + this.ttlDays * 86_400_000);
  }

  /** `ssoIdToken`: the provider's ID token of a single sign-on, kept for ending the provider's session at logout. */
  async start(userId: string, meta: RequestMeta, ssoIdToken?: string): Promise<string> {
    const raw = randomBytes(32).toString('base64url');
    await this.prisma.refreshTokenFamily.create({
      data: {
        userId,
        ssoIdToken: ssoIdToken ?? null,
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 500),
        tokens: { create: { tokenHash: hashToken(raw), expiresAt: this.expiry() } },
      },
    });
    return raw;
  }

  /** Exchanges a refresh token for a new one in the same family. */
  async rotate(raw: string, meta: RequestMeta): Promise<{ user: User; token: string }> {
    const invalid = () => new AppError('unauthenticated', 'Session expired or revoked; please log in again');
    const found = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashToken(raw) },
      include: { family: { include: { user: true } } },
    });
    if (!found || found.family.revokedAt) throw invalid();
    const user = found.family.user;

    const next = randomBytes(32).toString('base64url');
    // The conditional update is the race guard: of two requests presenting the
    // same token, exactly one sees count 1; the other is treated as reuse.
    const rotated = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.refreshToken.updateMany({
        where: { id: found.id, rotatedAt: null, expiresAt: { gt: new Date() } },
        data: { rotatedAt: new Date() },
      });
      if (count === 1) {
        await tx.refreshToken.create({ data: { familyId: found.familyId, tokenHash: hashToken(next), expiresAt: this.expiry() } });
      }
      return count === 1;
    });
    if (rotated) {
      if (!user.active) {
        await this.revokeFamily(found.familyId, 'user deactivated');
        throw invalid();
      }
      return { user, token: next };
    }
    if (found.expiresAt <= new Date()) throw invalid();

    await this.prisma.$transaction(async (tx) => {
      await this.revokeFamily(found.familyId, 'refresh token reuse', tx);
      await this.audit.record(
        {
          actor: { id: user.id, email: user.email },
          action: 'auth.refresh_reuse',
          resource: { type: 'user', id: user.id },
          newValues: { familyId: found.familyId, familyRevoked: true },
          meta,
        },
        tx,
      );
    });
    throw invalid();
  }

  /** Logout: revokes the family the token belongs to and returns its owner. Unknown tokens are ignored. */
  async end(raw: string): Promise<{ id: string; email: string } | undefined> {
    const found = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashToken(raw) },
      select: { familyId: true, family: { select: { user: { select: { id: true, email: true } } } } },
    });
    if (!found) return undefined;
    await this.revokeFamily(found.familyId, 'logout');
    return found.family.user;
  }

  /** The provider's ID token of a single sign-on session ('' when it had none); undefined for a password session. */
  async ssoIdTokenOf(raw: string): Promise<string | undefined> {
    const found = await this.prisma.refreshToken.findUnique({ where: { tokenHash: hashToken(raw) }, select: { family: { select: { ssoIdToken: true } } } });
    return found?.family.ssoIdToken ?? undefined;
  }

  async revokeAllForUser(userId: string, reason: string): Promise<void> {
    await this.prisma.refreshTokenFamily.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date(), revokedReason: reason },
    });
  }

  private async revokeFamily(familyId: string, reason: string, tx: Pick<PrismaClient, 'refreshTokenFamily'> = this.prisma): Promise<void> {
    await tx.refreshTokenFamily.updateMany({
      where: { id: familyId, revokedAt: null },
      data: { revokedAt: new Date(), revokedReason: reason },
    });
  }
}
