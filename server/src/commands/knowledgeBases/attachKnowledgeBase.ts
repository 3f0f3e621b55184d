import type { Services } from '../../services.js';
import { assistantFor, assistantRelations, lockAssistant, type AssistantRecord } from '../assistants/assistantAccess.js';
import { auditActor, type CommandContext } from '../context.js';
import { attachedKnowledgeBases, replaceAttachments } from './assistantKnowledgeBases.js';

/**
 * Attaches one base to an assistant, or changes its tag filter (tags: null
 * detaches it). Those who manage the assistant may detach any base; attaching
 * needs the right to read it. Audited as a change of the assistant.
 */
export async function setAssistantKnowledgeBase(s: Services, ctx: CommandContext, assistantId: string, knowledgeBaseId: string, tags: string[] | null): Promise<AssistantRecord> {
  return s.prisma.$transaction(async (tx) => {
    await lockAssistant(tx, assistantId);
    await assistantFor({ prisma: tx }, ctx.actor, assistantId, 'assistant.manage');
    const current = await attachedKnowledgeBases(tx, assistantId);
    const others = current.filter((a) => a.knowledgeBaseId !== knowledgeBaseId);
    const change = await replaceAttachments(tx, ctx.actor, assistantId, tags === null ? others : [...others, { knowledgeBaseId, tags }]);
    if (change) {
      await s.audit.record(
        {
          actor: auditActor(ctx.actor),
          action: 'assistant.update',
          resource: { type: 'assistant', id: assistantId },
          oldValues: { knowledgeBases: change.before },
          newValues: { knowledgeBases: change.after },
          meta: ctx.meta,
        },
        tx,
      );
    }
    return tx.assistant.findUniqueOrThrow({ where: { id: assistantId }, include: assistantRelations });
  });
}
