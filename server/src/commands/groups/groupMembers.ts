import { announceAccessChange } from '../../auth/accountCache.js';
import type { GroupRole } from '../../db/generated/enums.js';
import { AppError } from '../../errors/appError.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

/** Adds a user to a group, or changes their role in it. */
export async function setGroupMember(s: Services, ctx: CommandContext, groupId: string, userId: string, role: GroupRole) {
  authorize(ctx.actor, 'group.manageMembers', { kind: 'group', id: groupId });
  await s.prisma.$transaction(async (tx) => {
    const [group, user] = await Promise.all([
      tx.group.findUnique({ where: { id: groupId }, select: { id: true } }),
      tx.user.findUnique({ where: { id: userId }, select: { id: true } }),
    ]);
    if (!group) throw AppError.notFound('Group');
    if (!user) throw AppError.notFound('User');
    const before = await tx.groupMembership.findUnique({ where: { userId_groupId: { userId, groupId } } });
    if (before?.role === role) return;
    await tx.groupMembership.upsert({
      where: { userId_groupId: { userId, groupId } },
      create: { userId, groupId, role },
      update: { role },
    });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: before ? 'group.member_role' : 'group.member_add',
        resource: { type: 'group', id: groupId },
        oldValues: before ? { userId, role: before.role } : undefined,
        newValues: { userId, role },
        meta: ctx.meta,
      },
      tx,
    );
  });
  await announceAccessChange(s, userId);
}

export async function removeGroupMember(s: Services, ctx: CommandContext, groupId: string, userId: string) {
  authorize(ctx.actor, 'group.manageMembers', { kind: 'group', id: groupId });
  await s.prisma.$transaction(async (tx) => {
    const before = await tx.groupMembership.findUnique({ where: { userId_groupId: { userId, groupId } } });
    if (!before) throw AppError.notFound('Membership');
    await tx.groupMembership.delete({ where: { userId_groupId: { userId, groupId } } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'group.member_remove',
        resource: { type: 'group', id: groupId },
        oldValues: { userId, role: before.role },
        meta: ctx.meta,
      },
      tx,
    );
  });
  await announceAccessChange(s, userId);
}
