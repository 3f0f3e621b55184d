import { activePath, newestLeaf } from '../../chat/conversationTree.js';
import type { Conversation, Message, MessageFeedback } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { ownConversations } from '../../policies/index.js';
import { ownConversation } from './conversationAccess.js';

// Answer versions: which branch of the message tree a conversation shows.
// The choice is stored on the conversation (its active leaf), so a reload or
// another device shows the same versions; reading, exporting and asking all
// follow it.

export interface ConversationThread {
  conversation: Conversation;
  /** Every message, oldest first (the presenter counts versions from them). */
  messages: Message[];
  /** The branch shown, root first. */
  path: Message[];
}

/** One of the actor's conversations with the branch it shows. */
export async function readConversationThread(s: Services, actor: Actor, id: string): Promise<ConversationThread> {
  const conversation = await ownConversation(s, actor, id);
  return threadOf(s, conversation);
}

/**
 * What the chat app opens: one of the actor's conversations with the branch it
 * shows and the actor's feedback on its answers, read in one round trip (the
 * messages and feedback are joined into the conversation's row).
 */
export async function readConversationForReading(s: Pick<Services, 'prisma'>, actor: Actor, id: string): Promise<ConversationThread & { feedback: Map<string, MessageFeedback> }> {
  const found = await s.prisma.conversation.findFirst({
    where: { id, ...ownConversations(actor) },
    include: { messages: { orderBy: { createdAt: 'asc' }, include: { feedback: { where: { userId: actor.id } } } } },
  });
  if (!found) throw AppError.notFound('Conversation');
  const { messages: withFeedback, ...conversation } = found;
  const feedback = new Map(withFeedback.flatMap((m) => m.feedback.map((f) => [m.id, f] as const)));
  const messages: Message[] = withFeedback.map(({ feedback: _feedback, ...message }) => message);
  return { conversation, messages, path: activePath(messages, conversation.activeLeafId), feedback };
}

/**
 * Shows the version `messageId` (a question or an answer, at any fork) and,
 * below it, its most recent continuation. The user's own data: not audited.
 */
export async function chooseBranch(s: Services, actor: Actor, input: { conversationId: string; messageId: string }): Promise<ConversationThread> {
  const conversation = await ownConversation(s, actor, input.conversationId);
  // The answer being written belongs to the branch shown; switching under it would strand it.
  if (await s.generations.busy(conversation.id)) throw new AppError('conflict', 'An answer is being written; switch versions once it has finished');
  const messages = await messagesOf(s, conversation.id);
  if (!messages.some((m) => m.id === input.messageId)) throw AppError.notFound('Message');
  const leaf = newestLeaf(messages, input.messageId)!;
  const updated = await s.prisma.conversation.update({ where: { id: conversation.id }, data: { activeLeafId: leaf.id } });
  // The user's other tabs and devices follow (the chat app refetches the thread).
  s.generations.emit(updated.userId, { type: 'conversation', conversation: updated });
  return { conversation: updated, messages, path: activePath(messages, leaf.id) };
}

async function threadOf(s: Pick<Services, 'prisma'>, conversation: Conversation): Promise<ConversationThread> {
  const messages = await messagesOf(s, conversation.id);
  return { conversation, messages, path: activePath(messages, conversation.activeLeafId) };
}

const messagesOf = (s: Pick<Services, 'prisma'>, conversationId: string) => s.prisma.message.findMany({ where: { conversationId }, orderBy: { createdAt: 'asc' } });
