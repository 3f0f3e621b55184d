import { assistantFor } from '../assistants/assistantAccess.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { ownConversation } from './conversationAccess.js';

export async function createConversation(s: Services, actor: Actor, input: { assistantId: string; title?: string }) {
  await assistantFor(s, actor, input.assistantId, 'assistant.use');
  return s.prisma.conversation.create({ data: { userId: actor.id, assistantId: input.assistantId, ...(input.title ? { title: input.title } : {}) } });
}

export async function updateConversation(s: Services, actor: Actor, id: string, changes: { title?: string; archived?: boolean }) {
  await ownConversation(s, actor, id);
  return s.prisma.conversation.update({ where: { id }, data: changes });
}

/** Stops an answer being written first, so nothing writes into a deleted conversation. */
export async function deleteConversation(s: Services, actor: Actor, id: string): Promise<void> {
  await ownConversation(s, actor, id);
  await s.generations.stopAndWait(id);
  await s.prisma.conversation.deleteMany({ where: { id, userId: actor.id } });
}
