import { THREAD_MESSAGE } from '../../chat/answer.js';
import { READY_ATTACHMENTS } from '../../chat/attachmentsForAnswer.js';
import type { Assistant, Conversation } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { assistantResource, can, ownConversations } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';
import { readableLinks } from '../../retrieval/searchScope.js';
import type { Services } from '../../services.js';

/** One of the actor's own conversations; anyone else's, admins' included, is "not found". */
export async function ownConversation(s: Pick<Services, 'prisma'>, actor: Actor, conversationId: string): Promise<Conversation> {
  const conversation = await s.prisma.conversation.findFirst({ where: { id: conversationId, ...ownConversations(actor) } });
  if (!conversation) throw AppError.notFound('Conversation');
  return conversation;
}

/**
 * An own conversation whose assistant the actor may still use, for asking.
 * Access is checked on every message: leaving the assistant's group, or the
 * assistant's deletion, ends the conversation's use (reading stays possible).
 */
export async function conversationToChatIn(s: Pick<Services, 'prisma'>, actor: Actor, conversationId: string): Promise<{ conversation: Conversation; assistant: Assistant }> {
  const found = await s.prisma.conversation.findFirst({
    where: { id: conversationId, ...ownConversations(actor) },
    include: { assistant: { include: { groups: true } } },
  });
  if (!found) throw AppError.notFound('Conversation');
  const { assistant, ...conversation } = found;
  assertStillUsable(actor, assistant);
  return { conversation, assistant };
}

/**
 * conversationToChatIn with what a new question in the conversation needs, in
 * the same statement: its messages (the thread), its ready attachments, and
 * the knowledge bases of its assistant the actor may read (the search scope).
 * Four reads were on every question's path before its first token.
 */
export async function turnToAnswerIn(s: Pick<Services, 'prisma'>, actor: Actor, conversationId: string) {
  const found = await s.prisma.conversation.findFirst({
    where: { id: conversationId, ...ownConversations(actor) },
    include: {
      assistant: { include: { groups: true, knowledgeBases: readableLinks(actor) } },
      messages: { select: THREAD_MESSAGE, orderBy: { createdAt: 'asc' } },
      attachments: READY_ATTACHMENTS,
    },
  });
  if (!found) throw AppError.notFound('Conversation');
  const { assistant: withLinks, messages: thread, attachments, ...conversation } = found;
  const { knowledgeBases: knowledgeLinks, ...assistant } = withLinks;
  assertStillUsable(actor, assistant);
  return { conversation, assistant, thread, attachments, knowledgeLinks };
}

/** Leaving the assistant's group, or the assistant's deletion, ends a conversation's use for asking. */
function assertStillUsable(actor: Actor, assistant: Assistant & { groups: { groupId: string }[] }): void {
  if (assistant.deletedAt || !can(actor, 'assistant.use', assistantResource(assistant))) {
    throw AppError.forbidden('You can no longer use the assistant of this conversation');
  }
}
