import { announceAccessChange } from '../../auth/accountCache.js';
import { AppError } from '../../errors/appError.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

export interface GroupInput {
  name: string;
  description?: string;
  /** Memory off for the members (docs/memory.md). */
  memoryDisabled?: boolean;
  /** Members may call the raw chat models through the OpenAI-compatible API. */
  apiRawModels?: boolean;
}

const withCount = { _count: { select: { memberships: true } } } as const;

export async function createGroup(s: Services, ctx: CommandContext, input: GroupInput) {
  authorize(ctx.actor, 'group.create');
  return s.prisma.$transaction(async (tx) => {
    if (await tx.group.findUnique({ where: { name: input.name }, select: { id: true } })) {
      throw new AppError('conflict', 'A group with this name already exists', { field: 'name' });
    }
    const group = await tx.group.create({ data: { name: input.name, description: input.description ?? '', memoryDisabled: input.memoryDisabled ?? false, apiRawModels: input.apiRawModels ?? false }, include: withCount });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'group.create', resource: { type: 'group', id: group.id }, newValues: input, meta: ctx.meta },
      tx,
    );
    return group;
  });
}

export async function updateGroup(s: Services, ctx: CommandContext, groupId: string, input: Partial<GroupInput>) {
  authorize(ctx.actor, 'group.update', { kind: 'group', id: groupId });
  return s.prisma.$transaction(async (tx) => {
    const before = await tx.group.findUnique({ where: { id: groupId } });
    if (!before) throw AppError.notFound('Group');
    if (input.name && input.name !== before.name && (await tx.group.findUnique({ where: { name: input.name }, select: { id: true } }))) {
      throw new AppError('conflict', 'A group with this name already exists', { field: 'name' });
    }
    const group = await tx.group.update({ where: { id: groupId }, data: input, include: withCount });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'group.update',
        resource: { type: 'group', id: groupId },
        oldValues: { name: before.name, description: before.description, memoryDisabled: before.memoryDisabled, apiRawModels: before.apiRawModels },
        newValues: { name: group.name, description: group.description, memoryDisabled: group.memoryDisabled, apiRawModels: group.apiRawModels },
        meta: ctx.meta,
      },
      tx,
    );
    return group;
  });
}

export async function deleteGroup(s: Services, ctx: CommandContext, groupId: string) {
  authorize(ctx.actor, 'group.delete', { kind: 'group', id: groupId });
  await s.prisma.$transaction(async (tx) => {
    const before = await tx.group.findUnique({ where: { id: groupId }, include: withCount });
    if (!before) throw AppError.notFound('Group');
    await tx.group.delete({ where: { id: groupId } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'group.delete',
        resource: { type: 'group', id: groupId },
        oldValues: { name: before.name, description: before.description, memberCount: before._count.memberships },
        meta: ctx.meta,
      },
      tx,
    );
  });
  // Its members lose what it gave them.
  await announceAccessChange(s);
}
