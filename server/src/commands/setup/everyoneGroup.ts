import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

export const EVERYONE = 'Everyone';

/**
 * The "Everyone" group: created on first use with every active account in it,
 * and marked so that accounts created later join it too (switchable off).
 */
export async function setEveryoneGroup(s: Services, ctx: CommandContext, joinByDefault: boolean) {
  authorize(ctx.actor, 'settings.manage');
  return s.prisma.$transaction(async (tx) => {
    const before = await tx.group.findUnique({ where: { name: EVERYONE } });
    const group = before
      ? await tx.group.update({ where: { id: before.id }, data: { joinByDefault } })
      : await tx.group.create({ data: { name: EVERYONE, description: 'Every account; new accounts join it', joinByDefault } });
    let added = 0;
    if (!before) {
      const users = await tx.user.findMany({ where: { active: true }, select: { id: true } });
      added = (await tx.groupMembership.createMany({ data: users.map((u) => ({ userId: u.id, groupId: group.id, source: 'default' })), skipDuplicates: true })).count;
    }
    if (!before || before.joinByDefault !== joinByDefault) {
      await s.audit.record(
        {
          actor: auditActor(ctx.actor),
          action: before ? 'group.update' : 'group.create',
          resource: { type: 'group', id: group.id },
          oldValues: before ? { joinByDefault: before.joinByDefault } : undefined,
          newValues: { name: group.name, joinByDefault, ...(before ? {} : { membersAdded: added }) },
          meta: ctx.meta,
        },
        tx,
      );
    }
    return { id: group.id, name: group.name, joinByDefault: group.joinByDefault };
  });
}
