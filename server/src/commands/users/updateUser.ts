import { announceAccessChange } from '../../auth/accountCache.js';
import type { Role } from '../../db/generated/enums.js';
import { AppError } from '../../errors/appError.js';
import { userWithGroups } from '../../http/presenters/user.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';
import { endAccess } from '../../identity/endAccess.js';

export interface UpdateUserInput {
  name?: string;
  role?: Role;
  active?: boolean;
  /** false unlocks an account locked by failed logins. */
  locked?: false;
}

export async function updateUser(s: Services, ctx: CommandContext, userId: string, input: UpdateUserInput) {
  authorize(ctx.actor, 'user.update');
  const updated = await s.prisma.$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: userId } });
    if (!before) throw AppError.notFound('User');

    const losesAdmin = before.role === 'admin' && before.active && (input.role !== undefined && input.role !== 'admin' || input.active === false);
    if (losesAdmin) {
      // Serialise admin demotions so two concurrent ones cannot remove the last admin.
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(7214031339)');
      const admins = await tx.user.count({ where: { role: 'admin', active: true } });
      if (admins <= 1) throw new AppError('conflict', 'At least one active admin must remain');
    }

    const user = await tx.user.update({
      where: { id: userId },
      data: {
        name: input.name,
        role: input.role,
        active: input.active,
        ...(input.locked === false ? { lockedUntil: null, failedLoginCount: 0 } : {}),
      },
      include: userWithGroups,
    });
    const changed = (['name', 'role', 'active'] as const).filter((k) => input[k] !== undefined && input[k] !== before[k]);
    const unlocked = input.locked === false && before.lockedUntil !== null;
    if (changed.length || unlocked) {
      await s.audit.record(
        {
          actor: auditActor(ctx.actor),
          action: userChangeAction(changed, input, unlocked),
          resource: { type: 'user', id: userId },
          oldValues: Object.fromEntries(changed.map((k) => [k, before[k]])),
          newValues: { ...Object.fromEntries(changed.map((k) => [k, user[k]])), ...(unlocked ? { unlocked: true } : {}) },
          meta: ctx.meta,
        },
        tx,
      );
    }
    return user;
  });
  if (input.active === false) await endAccess(s, userId, 'user deactivated');
  else if (input.role !== undefined || input.active !== undefined) await announceAccessChange(s, userId);
  return updated;
}

/** The most telling name for a change, so the log can be filtered for it; the values list every field changed. */
function userChangeAction(changed: string[], input: UpdateUserInput, unlocked: boolean): string {
  if (changed.includes('active')) return input.active ? 'user.reactivate' : 'user.deactivate';
  if (changed.includes('role')) return 'user.role_change';
  if (unlocked && changed.length === 0) return 'user.unlock';
  return 'user.update';
}
