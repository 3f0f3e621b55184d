import { AppError } from '../../errors/appError.js';
import type { RequestMeta } from '../../governance/auditLog.js';
import type { Services } from '../../services.js';
import { hashVerificationToken } from './registerAccount.js';

/** Follows a mailed link: activates the account once; a used, expired or unknown token is refused alike. */
export async function verifyEmail(s: Services, token: string, meta: RequestMeta): Promise<void> {
  const invalid = new AppError('verification_invalid', 'This confirmation link is invalid, expired or already used');
  await s.prisma.$transaction(async (tx) => {
    // The conditional update claims the token, so two clicks cannot both succeed.
    const claimed = await tx.emailVerification.updateManyAndReturn({
      where: { tokenHash: hashVerificationToken(token), usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    const row = claimed[0];
    if (!row) throw invalid;
    const user = await tx.user.findUniqueOrThrow({ where: { id: row.userId } });
    if (user.pending !== 'email_verification') throw invalid;
    await tx.user.update({ where: { id: user.id }, data: { pending: null } });
    await s.audit.record({ actor: { id: user.id, email: user.email }, action: 'auth.email_verified', resource: { type: 'user', id: user.id }, meta }, tx);
  });
}
