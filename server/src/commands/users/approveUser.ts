import { AppError } from '../../errors/appError.js';
import { userWithGroups } from '../../http/presenters/user.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

/** Lets a self-registered account in (waiting for approval, or for an e-mail verification the admin vouches for). */
export async function approveUser(s: Services, ctx: CommandContext, userId: string) {
  authorize(ctx.actor, 'user.update');
  return s.prisma.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: userId } });
    if (!before) throw AppError.notFound('User');
    if (!before.pending) throw new AppError('conflict', 'This account is not waiting for approval');
    const user = await tx.user.update({ where: { id: userId }, data: { pending: null }, include: userWithGroups });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'user.approve',
        resource: { type: 'user', id: userId },
        oldValues: { pending: before.pending },
        newValues: { pending: null },
        meta: ctx.meta,
      },
      tx,
    );
    return user;
  });
}
