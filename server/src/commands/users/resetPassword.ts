import { announceAccessChange } from '../../auth/accountCache.js';
import { hashPassword } from '../../auth/passwords.js';
import { AppError } from '../../errors/appError.js';
import { generateTemporaryPassword } from '../../lib/temporaryPassword.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

/** An admin sets a temporary password: sessions end and the user must pick a new one. */
export async function resetPassword(s: Services, ctx: CommandContext, userId: string, password?: string) {
  authorize(ctx.actor, 'user.resetPassword');
  const temporaryPassword = password ?? generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword, s.config.auth.bcryptCost);
  await s.prisma.$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({
      where: { id: userId },
      data: { passwordHash, mustChangePassword: true, passwordChangedAt: new Date(), lockedUntil: null, failedLoginCount: 0 },
    });
    if (count === 0) throw AppError.notFound('User');
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'user.reset_password', resource: { type: 'user', id: userId }, meta: ctx.meta },
      tx,
    );
  });
  await announceAccessChange(s, userId);
  await s.sessions.revokeAllForUser(userId, 'password reset');
  return { temporaryPassword: password ? undefined : temporaryPassword };
}
