import { authorize } from '../../policies/index.js';
import { replaceAttachments, type KnowledgeBaseAttachment } from '../knowledgeBases/assistantKnowledgeBases.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';
import { assistantRelations, type AssistantRecord } from './assistantAccess.js';
import { assertGroupsExist, assertMayShareWith, assertUsableModels, settingColumns, type AssistantSettings } from './assistantSettings.js';

export interface AssistantInput extends AssistantSettings {
  name: string;
  groupIds?: string[];
  knowledgeBases?: KnowledgeBaseAttachment[];
}

/** Managers may only share an assistant with groups they manage. */
export async function createAssistant(s: Services, ctx: CommandContext, input: AssistantInput): Promise<AssistantRecord> {
  authorize(ctx.actor, 'assistant.create');
  const groupIds = [...new Set(input.groupIds ?? [])];
  assertMayShareWith(ctx.actor, groupIds);
  const { groupIds: _groups, knowledgeBases, ...fields } = input;
  return s.prisma.$transaction(async (tx) => {
    await assertGroupsExist(tx, groupIds);
    await assertUsableModels(tx, { modelId: fields.modelId ?? null, fallbackModelId: fields.fallbackModelId ?? null, flowSteps: fields.flowSteps }, ['modelId', 'fallbackModelId', 'flowSteps']);
    const created = await tx.assistant.create({
      data: { ...settingColumns(fields), createdById: ctx.actor.id, groups: { create: groupIds.map((groupId) => ({ groupId })) } },
      include: assistantRelations,
    });
    const attached = knowledgeBases ? await replaceAttachments(tx, ctx.actor, created.id, knowledgeBases) : null;
    const assistant = attached ? await tx.assistant.findUniqueOrThrow({ where: { id: created.id }, include: assistantRelations }) : created;
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'assistant.create', resource: { type: 'assistant', id: assistant.id }, newValues: { ...input, groupIds, ...(attached ? { knowledgeBases: attached.after } : {}) }, meta: ctx.meta },
      tx,
    );
    return assistant;
  });
}
