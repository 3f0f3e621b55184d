import { activePath, newestLeaf } from '../../chat/conversationTree.js';
import type { Conversation, Message, MessageFeedback } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import type { Actor } from '../../policies/actor.js';
import { ownConversationsSql } from '../../policies/index.js';
import type { Services } from '../../services.js';
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
 * shows and the actor's feedback on its answers, in one statement.
 *
 * The hottest read of the API, so it is SQL rather than a Prisma include: one
 * row per message (the conversation's columns repeated, the feedback joined)
 * costs Postgres and this process less than the include's nested JSON (built
 * with JSONB_BUILD_OBJECT per message and feedback, parsed, then mapped back
 * field by field). The result is the same records as
 * `conversation.findFirst({ include: { messages: { include: { feedback } } } })`.
 */
export async function readConversationForReading(s: Pick<Services, 'prisma'>, actor: Actor, id: string): Promise<ConversationThread & { feedback: Map<string, MessageFeedback> }> {
  const rows = await s.prisma.$queryRaw<ReadingRow[]>`
    SELECT c.id, c.user_id, c.assistant_id, c.title, c.archived, c.created_at, c.updated_at, c.last_message_at, c.active_leaf_id, c.source, c.memory_reviewed_at,
           m.id AS m_id, m.parent_id AS m_parent_id, m.role::text AS m_role, m.content AS m_content, m.status::text AS m_status, m.model AS m_model,
           m.prompt_tokens AS m_prompt_tokens, m.completion_tokens AS m_completion_tokens, m.finish_reason AS m_finish_reason, m.latency_ms AS m_latency_ms,
           m.sources AS m_sources, m.error AS m_error, m.edit_history AS m_edit_history, m.fallback_from AS m_fallback_from, m.tool_calls AS m_tool_calls,
           m.steps AS m_steps, m.retrieval_passages AS m_retrieval_passages, m.retrieval_top_score AS m_retrieval_top_score,
           m.created_at AS m_created_at, m.updated_at AS m_updated_at,
           f.id AS f_id, f.rating::text AS f_rating, f.reasons AS f_reasons, f.comment AS f_comment, f.created_at AS f_created_at, f.updated_at AS f_updated_at
      FROM conversations c
      LEFT JOIN messages m ON m.conversation_id = c.id
      LEFT JOIN message_feedback f ON f.message_id = m.id AND f.user_id = ${actor.id}::uuid
     WHERE c.id = ${id}::uuid AND ${ownConversationsSql(actor)}
     ORDER BY m.created_at ASC, m.id ASC`;
  const first = rows[0];
  if (!first) throw AppError.notFound('Conversation');
  const conversation: Conversation = {
    id: first.id,
    userId: first.user_id,
    assistantId: first.assistant_id,
    title: first.title,
    archived: first.archived,
    createdAt: first.created_at,
    updatedAt: first.updated_at,
    lastMessageAt: first.last_message_at,
    activeLeafId: first.active_leaf_id,
    source: first.source,
    memoryReviewedAt: first.memory_reviewed_at,
  };
  const messages: Message[] = [];
  const feedback = new Map<string, MessageFeedback>();
  for (const r of rows) {
    if (r.m_id === null) continue; // a conversation with no messages yet: its one row
    messages.push({
      id: r.m_id,
      conversationId: conversation.id,
      parentId: r.m_parent_id,
      role: r.m_role!,
      content: r.m_content!,
      status: r.m_status!,
      model: r.m_model,
      promptTokens: r.m_prompt_tokens,
      completionTokens: r.m_completion_tokens,
      finishReason: r.m_finish_reason,
      latencyMs: r.m_latency_ms,
      sources: r.m_sources,
      error: r.m_error,
      editHistory: r.m_edit_history!,
      fallbackFrom: r.m_fallback_from,
      toolCalls: r.m_tool_calls,
      steps: r.m_steps,
      retrievalPassages: r.m_retrieval_passages,
      retrievalTopScore: r.m_retrieval_top_score,
      createdAt: r.m_created_at!,
      updatedAt: r.m_updated_at!,
    });
    if (r.f_id !== null) {
      feedback.set(r.m_id, {
        id: r.f_id,
        messageId: r.m_id,
        userId: actor.id,
        rating: r.f_rating!,
        reasons: r.f_reasons!,
        comment: r.f_comment,
        createdAt: r.f_created_at!,
        updatedAt: r.f_updated_at!,
      });
    }
  }
  return { conversation, messages, path: activePath(messages, conversation.activeLeafId), feedback };
}

/** A row of readConversationForReading: the conversation, one of its messages (none: all null) and the reader's feedback on it. */
interface ReadingRow {
  id: string;
  user_id: string;
  assistant_id: string;
  title: string;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
  last_message_at: Date;
  active_leaf_id: string | null;
  source: string;
  memory_reviewed_at: Date | null;
  m_id: string | null;
  m_parent_id: string | null;
  m_role: Message['role'] | null;
  m_content: string | null;
  m_status: Message['status'] | null;
  m_model: string | null;
  m_prompt_tokens: number | null;
  m_completion_tokens: number | null;
  m_finish_reason: string | null;
  m_latency_ms: number | null;
  m_sources: Message['sources'];
  m_error: string | null;
  m_edit_history: Message['editHistory'] | null;
  m_fallback_from: string | null;
  m_tool_calls: Message['toolCalls'];
  m_steps: Message['steps'];
  m_retrieval_passages: number | null;
  m_retrieval_top_score: number | null;
  m_created_at: Date | null;
  m_updated_at: Date | null;
  f_id: string | null;
  f_rating: MessageFeedback['rating'] | null;
  f_reasons: string[] | null;
  f_comment: string | null;
  f_created_at: Date | null;
  f_updated_at: Date | null;
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
