import { Prisma } from '../../db/generated/client.js';
import type { Conversation } from '../../db/generated/client.js';
import { pageWithTotal } from '../../lib/pageTotal.js';
import type { Actor } from '../../policies/actor.js';
import { ownConversations, ownConversationsSql } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { containsPattern } from '../../db/likePattern.js';

export interface ConversationListQuery {
  page: number;
  pageSize: number;
  q?: string;
  /** false (default): active ones; true: archived ones; 'all': both. */
  archived: boolean | 'all';
  assistantId?: string;
  /** Where they began; API and MCP conversations stay out of the sidebar unless asked for. */
  source?: 'chat' | 'api' | 'mcp' | 'all';
}

export interface ConversationListing {
  rows: { conversation: Conversation; snippet: string | null }[];
  total: number;
}

/**
 * The actor's conversations, most recently active first. With a search, a
 * conversation matches by title or by full text over its messages (the
 * messages' generated tsvector), and carries its best matching snippet.
 */
export async function listConversations(s: Services, actor: Actor, query: ConversationListQuery): Promise<ConversationListing> {
  const where: Prisma.ConversationWhereInput = {
    ...ownConversations(actor),
    ...(query.archived === 'all' ? {} : { archived: query.archived }),
    ...(query.assistantId ? { assistantId: query.assistantId } : {}),
    ...(query.source === 'all' ? {} : { source: query.source ?? 'chat' }),
  };
  const window = { skip: (query.page - 1) * query.pageSize, take: query.pageSize };
  if (!query.q) {
    const [conversations, total] = await pageWithTotal(
      s.prisma.conversation.findMany({ where, orderBy: [{ lastMessageAt: 'desc' }, { id: 'desc' }], ...window }),
      window,
      () => s.prisma.conversation.count({ where }),
    );
    return { rows: conversations.map((conversation) => ({ conversation, snippet: null })), total };
  }

  const archived = query.archived === 'all' ? Prisma.empty : Prisma.sql`AND c.archived = ${query.archived}`;
  const assistant = query.assistantId ? Prisma.sql`AND c.assistant_id = ${query.assistantId}::uuid` : Prisma.empty;
  const source = query.source === 'all' ? Prisma.empty : Prisma.sql`AND c.source = ${query.source ?? 'chat'}`;
  const pattern = containsPattern(query.q);
  const hits = await s.prisma.$queryRaw<{ id: string; snippet: string | null; total: bigint }[]>`
    WITH search AS (SELECT websearch_to_tsquery('english', ${query.q}) AS query),
    best AS (
      SELECT DISTINCT ON (m.conversation_id) m.conversation_id, m.content
      FROM messages m
      JOIN conversations c ON c.id = m.conversation_id, search
      WHERE ${ownConversationsSql(actor)} AND m.tsv @@ search.query ${archived} ${assistant} ${source}
      ORDER BY m.conversation_id, ts_rank(m.tsv, search.query) DESC
    )
    SELECT c.id,
           CASE WHEN best.content IS NULL THEN NULL
                ELSE ts_headline('english', best.content, search.query, 'StartSel="",StopSel="",MaxWords=24,MinWords=10,MaxFragments=1')
           END AS snippet,
           count(*) OVER () AS total
    FROM conversations c
    CROSS JOIN search
    LEFT JOIN best ON best.conversation_id = c.id
    WHERE ${ownConversationsSql(actor)} ${archived} ${assistant} ${source}
      AND (best.conversation_id IS NOT NULL OR c.title ILIKE ${pattern})
    ORDER BY c.last_message_at DESC, c.id DESC
    LIMIT ${window.take} OFFSET ${window.skip}`;
  if (hits.length === 0) {
    // Past the last page the window is empty; the total still has to be told.
    return { rows: [], total: window.skip === 0 ? 0 : (await listConversations(s, actor, { ...query, page: 1 })).total };
  }
  const conversations = await s.prisma.conversation.findMany({ where: { id: { in: hits.map((h) => h.id) } } });
  const byId = new Map(conversations.map((c) => [c.id, c]));
  return {
    rows: hits.flatMap((h) => (byId.has(h.id) ? [{ conversation: byId.get(h.id)!, snippet: h.snippet }] : [])),
    total: Number(hits[0]!.total),
  };
}
