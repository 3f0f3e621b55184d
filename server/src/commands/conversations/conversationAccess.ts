import type { AskerState, ThreadMessage } from '../../chat/answer.js';
import { Prisma, type Assistant, type Conversation, type ConversationAttachment } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { applicableQuotasSql } from '../../governance/quotas/index.js';
import { memoryStateOf, memorySwitchesSql } from '../../memory/memoryAccess.js';
import { assistantResource, can, ownConversations, ownConversationsSql } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';
import { readableKnowledgeBasesSql } from '../../policies/knowledgeBases.js';
import type { ScopeLink } from '../../retrieval/searchScope.js';
import type { Services } from '../../services.js';
import { assistantColumns, assistantOf, type AssistantColumns } from '../assistants/assistantRecords.js';

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

/** What a new question in a conversation starts from (turnToAnswerIn). */
export interface TurnToAnswer {
  conversation: Conversation;
  assistant: Assistant;
  /** The conversation's messages, oldest first. */
  thread: ThreadMessage[];
  /** Its ready attachments, oldest first. */
  attachments: ConversationAttachment[];
  /** The assistant's knowledge bases the actor may read: the search scope. */
  knowledgeLinks: ScopeLink[];
  /** Whether a quota governs the actor's calls to this assistant, and their memory state. */
  asker: AskerState;
}

/**
 * conversationToChatIn with what a new question in the conversation needs, in
 * the same statement: the thread, the ready attachments, the readable
 * knowledge bases, whether a quota applies and the asker's memory switches.
 * Six reads were on every question's path before its first token. It is SQL straight to the driver, like the answer's other statements
 * (docs/architecture.md): Prisma's client was the larger part of this read's
 * cost. The records are those of the Prisma include it replaced, field for
 * field (tests/chat/turnRead.test.ts).
 */
export async function turnToAnswerIn(s: Pick<Services, 'db'>, actor: Actor, conversationId: string): Promise<TurnToAnswer> {
  const read = Prisma.sql`
    SELECT c.id AS c_id, c.user_id AS c_user_id, c.assistant_id AS c_assistant_id, c.title AS c_title, c.archived AS c_archived,
           c.created_at AS c_created_at, c.updated_at AS c_updated_at, c.last_message_at AS c_last_message_at,
           c.active_leaf_id AS c_active_leaf_id, c.source AS c_source, c.memory_reviewed_at AS c_memory_reviewed_at,
           ${assistantColumns},
           ARRAY(SELECT g.group_id::text FROM assistant_groups g WHERE g.assistant_id = a.id) AS group_ids,
           (SELECT json_agg(json_build_object('id', m.id, 'parentId', m.parent_id, 'createdAt', m.created_at, 'role', m.role, 'content', m.content, 'status', m.status)
                            ORDER BY m.created_at)
              FROM messages m WHERE m.conversation_id = c.id) AS thread,
           (SELECT json_agg(json_build_object(
                     'id', f.id, 'conversationId', f.conversation_id, 'userId', f.user_id, 'originalName', f.original_name, 'mimeType', f.mime_type,
                     'kind', f.kind, 'sizeBytes', f.size_bytes::text, 'sha256', f.sha256, 'storagePath', f.storage_path, 'status', f.status,
                     'progress', f.progress, 'error', f.error, 'pageCount', f.page_count, 'chunkCount', f.chunk_count, 'tokenCount', f.token_count,
                     'embedder', f.embedder, 'embeddingDim', f.embedding_dim, 'createdAt', f.created_at, 'updatedAt', f.updated_at, 'processedAt', f.processed_at)
                   ORDER BY f.created_at)
              FROM conversation_attachments f WHERE f.conversation_id = c.id AND f.status = 'ready') AS attachments,
           (SELECT json_agg(json_build_object('knowledgeBaseId', k.knowledge_base_id, 'tags', k.tags, 'knowledgeBase', json_build_object(
                     'language', kb.language,
                     'files', ARRAY(SELECT json_build_object('id', kf.id) FROM knowledge_files kf WHERE kf.knowledge_base_id = kb.id AND kf.status <> 'ready' ORDER BY kf.id)))
                   ORDER BY k.created_at)
              FROM assistant_knowledge_bases k JOIN knowledge_bases kb ON kb.id = k.knowledge_base_id
             WHERE k.assistant_id = a.id AND ${readableKnowledgeBasesSql(actor)}) AS knowledge_links,
           EXISTS (SELECT 1 FROM quotas q WHERE ${applicableQuotasSql({ userId: actor.id, groupIds: [...actor.groups.keys()], assistantId: Prisma.sql`a.id` })}) AS quota_applies,
           ${memorySwitchesSql(actor.id)} AS memory_switches
      FROM conversations c JOIN assistants a ON a.id = c.assistant_id
     WHERE c.id = ${conversationId}::uuid AND ${ownConversationsSql(actor)}`;
  const [row] = await s.db.query<TurnRow>(read.text, read.values);
  if (!row) throw AppError.notFound('Conversation');
  const assistant = assistantOf(row);
  assertStillUsable(actor, { ...assistant, groups: row.group_ids.map((groupId) => ({ groupId })) });
  return {
    conversation: {
      id: row.c_id,
      userId: row.c_user_id,
      assistantId: row.c_assistant_id,
      title: row.c_title,
      archived: row.c_archived,
      createdAt: row.c_created_at,
      updatedAt: row.c_updated_at,
      lastMessageAt: row.c_last_message_at,
      activeLeafId: row.c_active_leaf_id,
      source: row.c_source,
      memoryReviewedAt: row.c_memory_reviewed_at,
    },
    assistant,
    thread: (row.thread ?? []).map(threadMessageOf),
    attachments: (row.attachments ?? []).map(attachmentOf),
    knowledgeLinks: row.knowledge_links ?? [],
    asker: { quotaApplies: row.quota_applies, memory: memoryStateOf(row.memory_switches) },
  };
}

// Field by field rather than spread: a field the schema gains is then a
// compile error here, not a field silently missing from the read.
const threadMessageOf = (m: AsJson<ThreadMessage, 'createdAt'>): ThreadMessage => ({
  id: m.id,
  parentId: m.parentId,
  createdAt: new Date(m.createdAt),
  role: m.role,
  content: m.content,
  status: m.status,
});

const attachmentOf = (f: AsJson<ConversationAttachment, 'sizeBytes' | 'createdAt' | 'updatedAt' | 'processedAt'>): ConversationAttachment => ({
  id: f.id,
  conversationId: f.conversationId,
  userId: f.userId,
  originalName: f.originalName,
  mimeType: f.mimeType,
  kind: f.kind,
  sizeBytes: BigInt(f.sizeBytes),
  sha256: f.sha256,
  storagePath: f.storagePath,
  status: f.status,
  progress: f.progress,
  error: f.error,
  pageCount: f.pageCount,
  chunkCount: f.chunkCount,
  tokenCount: f.tokenCount,
  embedder: f.embedder,
  embeddingDim: f.embeddingDim,
  createdAt: new Date(f.createdAt),
  updatedAt: new Date(f.updatedAt),
  processedAt: f.processedAt === null ? null : new Date(f.processedAt),
});

/** JSON has no dates or big integers: they arrive as text. */
type AsJson<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] extends Date ? string : T[P] extends Date | null ? string | null : string };

/** The row of turnToAnswerIn's read. */
interface TurnRow extends AssistantColumns {
  c_id: string;
  c_user_id: string;
  c_assistant_id: string;
  c_title: string;
  c_archived: boolean;
  c_created_at: Date;
  c_updated_at: Date;
  c_last_message_at: Date;
  c_active_leaf_id: string | null;
  c_source: string;
  c_memory_reviewed_at: Date | null;
  group_ids: string[];
  thread: AsJson<ThreadMessage, 'createdAt'>[] | null;
  attachments: AsJson<ConversationAttachment, 'sizeBytes' | 'createdAt' | 'updatedAt' | 'processedAt'>[] | null;
  knowledge_links: ScopeLink[] | null;
  quota_applies: boolean;
  memory_switches: { enabled: boolean; allowed: boolean } | null;
}

/** Leaving the assistant's group, or the assistant's deletion, ends a conversation's use for asking. */
function assertStillUsable(actor: Actor, assistant: Pick<Assistant, 'deletedAt' | 'createdById'> & { groups: { groupId: string }[] }): void {
  if (assistant.deletedAt || !can(actor, 'assistant.use', assistantResource(assistant))) {
    throw AppError.forbidden('You can no longer use the assistant of this conversation');
  }
}
