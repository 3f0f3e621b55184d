import { announceAccessChange } from '../../auth/accountCache.js';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { AppError } from '../../errors/appError.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

/**
 * The signed-in user replaces their password (also how a temporary password
 * is retired). Every existing session ends; the caller starts a fresh one.
 */
export async function changeOwnPassword(s: Services, ctx: CommandContext, currentPassword: string, newPassword: string) {
  const user = await s.prisma.user.findUniqueOrThrow({ where: { id: ctx.actor.id } });
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    throw new AppError('validation_failed', 'Current password is incorrect', { issues: [{ path: 'currentPassword', message: 'is incorrect' }] });
  }
  if (await verifyPassword(newPassword, user.passwordHash)) {
    throw new AppError('validation_failed', 'New password must differ from the current one', { issues: [{ path: 'newPassword', message: 'must differ from the current password' }] });
  }
  const passwordHash = await hashPassword(newPassword, s.config.auth.bcryptCost);
  const updated = await s.prisma.$transaction(async (tx) => {
    const row = await tx.user.update({
      where: { id: user.id },
      data: { passwordHash, mustChangePassword: false, passwordChangedAt: new Date() },
    });
    await s.audit.record({ actor: auditActor(ctx.actor), action: 'user.change_password', resource: { type: 'user', id: user.id }, meta: ctx.meta }, tx);
    return row;
  });
  await announceAccessChange(s, user.id);
  await s.sessions.revokeAllForUser(user.id, 'password changed');
  return updated;
}
