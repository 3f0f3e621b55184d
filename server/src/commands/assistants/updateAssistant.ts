import { AppError } from '../../errors/appError.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';
import { replaceAttachments, type KnowledgeBaseAttachment } from '../knowledgeBases/assistantKnowledgeBases.js';
import { followAssistantGroups } from '../knowledgeBases/ownKnowledgeBase.js';
import { assistantFor, assistantRelations, lockAssistant, type AssistantRecord } from './assistantAccess.js';
import { assertGroupsExist, assertMayShareWith, assertUsableModels, settingColumns, settingKeys, type AssistantSettings } from './assistantSettings.js';

export interface AssistantChanges extends AssistantSettings {
  /** Replaces the set of groups. */
  groupIds?: string[];
  /** Replaces the knowledge bases it searches. */
  knowledgeBases?: KnowledgeBaseAttachment[];
}

/**
 * Changes an assistant's settings, the groups it is shared with (its own
 * knowledge base follows) and the knowledge bases it searches. A
 * manager may add or remove only groups they manage; groups they do not
 * manage stay as they are. The audit entry holds the old and new values of
 * the fields that changed. A new chunk size or overlap applies to files
 * indexed from now on; files already indexed keep their chunks until re-indexed.
 */
export async function updateAssistant(s: Services, ctx: CommandContext, assistantId: string, input: AssistantChanges): Promise<AssistantRecord> {
  return s.prisma.$transaction(async (tx) => {
    await lockAssistant(tx, assistantId);
    const before = await assistantFor({ prisma: tx }, ctx.actor, assistantId, 'assistant.manage');

    const previousGroups = before.groups.map((g) => g.groupId);
    const nextGroups = input.groupIds ? [...new Set(input.groupIds)] : previousGroups;
    const added = nextGroups.filter((g) => !previousGroups.includes(g));
    const removed = previousGroups.filter((g) => !nextGroups.includes(g));
    assertMayShareWith(ctx.actor, [...added, ...removed]);
    await assertGroupsExist(tx, added);

    const changed = settingKeys.filter((k) => input[k] !== undefined && input[k] !== before[k]);
    await assertUsableModels(
      tx,
      {
        modelId: input.modelId !== undefined ? input.modelId : before.modelId,
        fallbackModelId: input.fallbackModelId !== undefined ? input.fallbackModelId : before.fallbackModelId,
        flowSteps: input.flowSteps,
      },
      changed,
    );
    const chunkSize = input.chunkSize !== undefined ? input.chunkSize : before.chunkSize;
    const chunkOverlap = input.chunkOverlap !== undefined ? input.chunkOverlap : before.chunkOverlap;
    if (chunkSize != null && chunkOverlap != null && chunkOverlap >= chunkSize) {
      throw new AppError('validation_failed', 'chunkOverlap must be smaller than chunkSize', { issues: [{ path: 'chunkOverlap', message: `must be smaller than chunkSize (${chunkSize})` }] });
    }

    const groupsChanged = added.length > 0 || removed.length > 0;
    const attached = input.knowledgeBases ? await replaceAttachments(tx, ctx.actor, assistantId, input.knowledgeBases) : null;
    if (!changed.length && !groupsChanged && !attached) return before;
    if (groupsChanged) await followAssistantGroups(tx, assistantId, added, removed);

    const updated = await tx.assistant.update({
      where: { id: assistantId },
      data: {
        ...settingColumns(Object.fromEntries(changed.map((k) => [k, input[k]])) as AssistantSettings),
        groups: groupsChanged ? { deleteMany: { groupId: { in: removed } }, create: added.map((groupId) => ({ groupId })) } : undefined,
      },
      include: assistantRelations,
    });
    const oldValues: Record<string, unknown> = Object.fromEntries(changed.map((k) => [k, before[k]]));
    const newValues: Record<string, unknown> = Object.fromEntries(changed.map((k) => [k, updated[k]]));
    if (groupsChanged) {
      oldValues.groupIds = [...previousGroups].sort();
      newValues.groupIds = [...nextGroups].sort();
    }
    if (attached) {
      oldValues.knowledgeBases = attached.before;
      newValues.knowledgeBases = attached.after;
    }
    await s.audit.record({ actor: auditActor(ctx.actor), action: 'assistant.update', resource: { type: 'assistant', id: assistantId }, oldValues, newValues, meta: ctx.meta }, tx);
    return updated;
  });
}
