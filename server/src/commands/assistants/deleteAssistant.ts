import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';
import { assistantFor, assistantRelations, lockAssistant, type AssistantRecord } from './assistantAccess.js';

/**
 * Soft delete: the assistant disappears for everyone (lists, chat, uploads)
 * but keeps its knowledge and conversations, so it can be restored.
 */
export async function deleteAssistant(s: Services, ctx: CommandContext, assistantId: string): Promise<void> {
  await s.prisma.$transaction(async (tx) => {
    await lockAssistant(tx, assistantId);
    await assistantFor({ prisma: tx }, ctx.actor, assistantId, 'assistant.manage');
    const { deletedAt } = await tx.assistant.update({ where: { id: assistantId }, data: { deletedAt: new Date() } });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'assistant.delete', resource: { type: 'assistant', id: assistantId }, oldValues: { deletedAt: null }, newValues: { deletedAt }, meta: ctx.meta },
      tx,
    );
  });
}

/** Brings a deleted assistant back; restoring one that is not deleted changes nothing. */
export async function restoreAssistant(s: Services, ctx: CommandContext, assistantId: string): Promise<AssistantRecord> {
  return s.prisma.$transaction(async (tx) => {
    await lockAssistant(tx, assistantId);
    const before = await assistantFor({ prisma: tx }, ctx.actor, assistantId, 'assistant.manage', { includeDeleted: true });
    if (!before.deletedAt) return before;
    const restored = await tx.assistant.update({ where: { id: assistantId }, data: { deletedAt: null }, include: assistantRelations });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'assistant.restore', resource: { type: 'assistant', id: assistantId }, oldValues: { deletedAt: before.deletedAt }, newValues: { deletedAt: null }, meta: ctx.meta },
      tx,
    );
    return restored;
  });
}
