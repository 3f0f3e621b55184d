import { assistantFor } from '../assistants/assistantAccess.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { ownConversation } from './conversationAccess.js';
import { auditAttachmentsGone } from '../attachments/conversationAttachments.js';
import type { RequestMeta } from '../../governance/auditLog.js';

export async function createConversation(s: Services, actor: Actor, input: { assistantId: string; title?: string }) {
  await assistantFor(s, actor, input.assistantId, 'assistant.use');
  return s.prisma.conversation.create({ data: { userId: actor.id, assistantId: input.assistantId, ...(input.title ? { title: input.title } : {}) } });
}

export async function updateConversation(s: Services, actor: Actor, id: string, changes: { title?: string; archived?: boolean }) {
  await ownConversation(s, actor, id);
  return s.prisma.conversation.update({ where: { id }, data: changes });
}

/**
 * Stops an answer being written first, so nothing writes into a deleted
 * conversation. Its attachments go with it: rows and chunks by cascade (each
 * audited), then their stored bytes.
 */
export async function deleteConversation(s: Services, actor: Actor, id: string, meta: RequestMeta = {}): Promise<void> {
  await ownConversation(s, actor, id);
  await s.generations.stopAndWait(id);
  const attachments = await s.prisma.conversationAttachment.findMany({ where: { conversationId: id } });
  await s.prisma.$transaction(async (tx) => {
    await tx.conversation.deleteMany({ where: { id, userId: actor.id } });
    await auditAttachmentsGone(s, { actor, meta }, attachments, tx);
  });
  await Promise.all(attachments.map((a) => s.storage.remove(a.storagePath)));
}
