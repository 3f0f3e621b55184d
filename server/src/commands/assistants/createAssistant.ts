import { AppError } from '../../errors/appError.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

export interface AssistantInput {
  name: string;
  description?: string;
  instructions?: string;
  temperature?: number;
  maxTokens?: number;
  groupIds?: string[];
  topK?: number | null;
  similarityThreshold?: number | null;
  chunkSize?: number | null;
  chunkOverlap?: number | null;
  knowledgeOnly?: boolean;
}

/** Managers may only share an assistant with groups they manage. */
export async function createAssistant(s: Services, ctx: CommandContext, input: AssistantInput) {
  authorize(ctx.actor, 'assistant.create');
  const groupIds = [...new Set(input.groupIds ?? [])];
  if (ctx.actor.role !== 'admin') {
    const foreign = groupIds.filter((g) => ctx.actor.groups.get(g) !== 'manager');
    if (foreign.length) throw new AppError('forbidden', 'You can only share assistants with groups you manage', { groupIds: foreign });
  }
  const { groupIds: _ignored, ...fields } = input;
  return s.prisma.$transaction(async (tx) => {
    if (groupIds.length && (await tx.group.count({ where: { id: { in: groupIds } } })) !== groupIds.length) {
      throw new AppError('validation_failed', 'Unknown group', { issues: [{ path: 'groupIds', message: 'contains a group that does not exist' }] });
    }
    const assistant = await tx.assistant.create({
      data: { ...fields, createdById: ctx.actor.id, groups: { create: groupIds.map((groupId) => ({ groupId })) } },
      include: { groups: true },
    });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'assistant.create', resource: { type: 'assistant', id: assistant.id }, newValues: input, meta: ctx.meta },
      tx,
    );
    return assistant;
  });
}
