import { startAnswer } from '../../chat/answer.js';
import { activePath } from '../../chat/conversationTree.js';
import type { Generation } from '../../chat/generationHub.js';
import { AppError } from '../../errors/appError.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { conversationToChatIn, turnToAnswerIn } from './conversationAccess.js';

// The three ways to ask: a new question at the end of the branch shown (or
// after a given message), the same question answered again (regenerate), and
// a question changed and asked again (edit). Each starts an answer and
// returns it while it is being written.

export async function sendMessage(s: Services, actor: Actor, input: { conversationId: string; content: string; parentId?: string }): Promise<Generation> {
  // One read, and the knowledge search begun from it: its result is used only once the access check has passed.
  const turn = turnToAnswerIn(s, actor, input.conversationId);
  const preparedSearch = s.retriever.prepareSearch(input.content, turn);
  const { conversation, assistant, thread, attachments, asker } = await turn;
  if (input.parentId) {
    const parent = thread.find((m) => m.id === input.parentId);
    if (!parent) throw AppError.notFound('Message');
    if (parent.role !== 'assistant') throw new AppError('validation_failed', 'That message is not an answer');
  }
  const parentId = input.parentId ?? activePath(thread, conversation.activeLeafId).at(-1)?.id ?? null;
  return startAnswer(s, { conversation, assistant, actor, question: { content: input.content, parentId }, thread, attachments, preparedSearch, asker });
}

/** Answers a question again; `messageId` is the answer to replace, or the question itself. */
export async function regenerateAnswer(s: Services, actor: Actor, input: { conversationId: string; messageId: string }): Promise<Generation> {
  const { conversation, assistant } = await conversationToChatIn(s, actor, input.conversationId);
  const message = await messageIn(s, conversation.id, input.messageId);
  const question = message.role === 'user' ? message : message.parentId ? await messageIn(s, conversation.id, message.parentId, 'user') : null;
  if (!question) throw new AppError('validation_failed', 'This answer has no question to answer again');
  return startAnswer(s, { conversation, assistant, actor, question: { existing: question } });
}

/** Asks a changed version of a question; the earlier version stays in the tree and in the edit history. */
export async function editAndResend(s: Services, actor: Actor, input: { conversationId: string; messageId: string; content: string }): Promise<Generation> {
  const { conversation, assistant } = await conversationToChatIn(s, actor, input.conversationId);
  const original = await messageIn(s, conversation.id, input.messageId, 'user');
  const history = [...((original.editHistory as { content: string; editedAt: string }[] | null) ?? []), { content: original.content, editedAt: new Date().toISOString() }];
  return startAnswer(s, { conversation, assistant, actor, question: { content: input.content, parentId: original.parentId, editHistory: history } });
}

/** Stops the answer being written; false when none is. Only the owner reaches here. */
export async function stopAnswer(s: Services, actor: Actor, conversationId: string): Promise<boolean> {
  return s.generations.stopAndWait(conversationId, actor.id);
}

async function messageIn(s: Services, conversationId: string, messageId: string, role?: 'user' | 'assistant') {
  const message = await s.prisma.message.findFirst({ where: { id: messageId, conversationId } });
  if (!message) throw AppError.notFound('Message');
  if (role && message.role !== role) throw new AppError('validation_failed', `That message is not ${role === 'user' ? 'a question' : 'an answer'}`);
  return message;
}
