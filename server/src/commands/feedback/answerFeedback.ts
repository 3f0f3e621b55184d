import type { MessageFeedback } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { ownConversation } from '../conversations/conversationAccess.js';

export const FEEDBACK_REASONS = ['wrong', 'outdated', 'not_found_in_documents', 'unsafe', 'other'] as const;
export type FeedbackReason = (typeof FEEDBACK_REASONS)[number];

export interface FeedbackInput {
  rating: 'up' | 'down';
  reasons: FeedbackReason[];
  comment: string | null;
}

interface AnswerRef {
  conversationId: string;
  messageId: string;
}

/** An answer in one of the actor's own conversations; anything else is "not found". */
async function ownAnswer(s: Pick<Services, 'prisma'>, actor: Actor, ref: AnswerRef): Promise<void> {
  await ownConversation(s, actor, ref.conversationId);
  const message = await s.prisma.message.findFirst({ where: { id: ref.messageId, conversationId: ref.conversationId, role: 'assistant' }, select: { status: true } });
  if (!message) throw AppError.notFound('Message');
  if (message.status === 'streaming') throw new AppError('conflict', 'The answer is still being written');
}

/**
 * The actor's feedback on an answer, given or changed (one per user per
 * answer). Staff feedback is not audited: it is their own opinion, shown to the
 * assistant's maintainers through the feedback reports.
 */
export async function giveFeedback(s: Pick<Services, 'prisma'>, actor: Actor, ref: AnswerRef, input: FeedbackInput): Promise<MessageFeedback> {
  await ownAnswer(s, actor, ref);
  // A thumbs up carries no reasons: they describe what was wrong.
  const data = { rating: input.rating, reasons: input.rating === 'up' ? [] : [...new Set(input.reasons)], comment: input.comment?.trim() || null };
  return s.prisma.messageFeedback.upsert({
    where: { messageId_userId: { messageId: ref.messageId, userId: actor.id } },
    create: { messageId: ref.messageId, userId: actor.id, ...data },
    update: data,
  });
}

/** Removes the actor's feedback on an answer; false when there was none. */
export async function removeFeedback(s: Pick<Services, 'prisma'>, actor: Actor, ref: AnswerRef): Promise<boolean> {
  await ownAnswer(s, actor, ref);
  const { count } = await s.prisma.messageFeedback.deleteMany({ where: { messageId: ref.messageId, userId: actor.id } });
  return count > 0;
}

/** The actor's feedback on the given messages, by message id (for presenting a conversation). */
export async function feedbackByMessage(s: Pick<Services, 'prisma'>, actor: Actor, messageIds: string[]): Promise<Map<string, MessageFeedback>> {
  if (messageIds.length === 0) return new Map();
  const rows = await s.prisma.messageFeedback.findMany({ where: { userId: actor.id, messageId: { in: messageIds } } });
  return new Map(rows.map((r) => [r.messageId, r]));
}
