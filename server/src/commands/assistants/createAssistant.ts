import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';
import { assistantRelations, type AssistantRecord } from './assistantAccess.js';
import { assertGroupsExist, assertMayShareWith, assertUsableModels, type AssistantSettings } from './assistantSettings.js';

export interface AssistantInput extends AssistantSettings {
  name: string;
  groupIds?: string[];
}

/** Managers may only share an assistant with groups they manage. */
export async function createAssistant(s: Services, ctx: CommandContext, input: AssistantInput): Promise<AssistantRecord> {
  authorize(ctx.actor, 'assistant.create');
  const groupIds = [...new Set(input.groupIds ?? [])];
  assertMayShareWith(ctx.actor, groupIds);
  const { groupIds: _ignored, ...fields } = input;
  return s.prisma.$transaction(async (tx) => {
    await assertGroupsExist(tx, groupIds);
    await assertUsableModels(tx, { modelId: fields.modelId ?? null, fallbackModelId: fields.fallbackModelId ?? null }, ['modelId', 'fallbackModelId']);
    const assistant = await tx.assistant.create({
      data: { ...fields, createdById: ctx.actor.id, groups: { create: groupIds.map((groupId) => ({ groupId })) } },
      include: assistantRelations,
    });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'assistant.create', resource: { type: 'assistant', id: assistant.id }, newValues: { ...input, groupIds }, meta: ctx.meta },
      tx,
    );
    return assistant;
  });
}
