import type { PrismaClient } from '../../db/database.js';
import { Prisma, type Assistant } from '../../db/generated/client.js';

/**
 * What every assistant read loads: the group ids (for the policies), the
 * model's names (for the presenter) and the knowledge bases. The reads below
 * give the same records in SQL.
 */
export const assistantRelations = {
  groups: { select: { groupId: true } },
  model: { select: { id: true, name: true, displayName: true } },
  knowledgeBases: { select: { knowledgeBaseId: true, tags: true }, orderBy: { createdAt: 'asc' } },
} as const satisfies Prisma.AssistantInclude;

export type AssistantRecord = Prisma.AssistantGetPayload<{ include: typeof assistantRelations }>;

export type Db = PrismaClient | Prisma.TransactionClient;

// The assistant reads the API serves most (the list, one assistant, and every
// command's access check) are SQL rather than a Prisma include: one row per
// assistant with its group ids as an array and its knowledge bases as one JSON
// value. The include's query (three lateral joins, each building JSONB per
// related row) was several times the text to send, and its result went
// through the client's nested-result mapping; for a read that costs about a
// millisecond, both showed in the profile. The records are those of
// `assistant.findMany({ include: assistantRelations })`, field for field
// (tests/http/assistantRead.test.ts compares them). The orders are the
// include's too: knowledge bases by when they were attached; groups (a set,
// which the include's subquery left unordered) by id.

/** The assistant's own columns, of `assistants AS a`, as every assistant read in SQL selects them (assistantOf reads them back). */
export const assistantColumns = Prisma.sql`
    a.id, a.name, a.description, a.instructions, a.model_id, a.temperature, a.max_tokens, a.avatar_path,
    a.top_k, a.similarity_threshold, a.chunk_size, a.chunk_overlap, a.knowledge_only, a.fallback_model_id,
    a.builtin_tools, a.flow_steps, a.attachments_enabled, a.created_by_id, a.created_at, a.updated_at, a.deleted_at`;

/** Every record read: the assistant (`a`) with its model's names, group ids and knowledge bases. */
const selectRecords = Prisma.sql`
  SELECT ${assistantColumns},
    m.id AS m_id, m.name AS m_name, m.display_name AS m_display_name,
    ARRAY(SELECT g.group_id FROM assistant_groups g WHERE g.assistant_id = a.id ORDER BY g.group_id) AS group_ids,
    (SELECT json_agg(json_build_object('knowledgeBaseId', k.knowledge_base_id, 'tags', k.tags) ORDER BY k.created_at)
       FROM assistant_knowledge_bases k WHERE k.assistant_id = a.id) AS knowledge_bases
  FROM assistants a
  LEFT JOIN models m ON m.id = a.model_id`;

/** The sortable fields of the list, as columns (never text from the request). */
const sortColumns = { name: Prisma.sql`a.name`, createdAt: Prisma.sql`a.created_at` } as const;

export interface AssistantRecordQuery {
  /** A condition on `assistants AS a`: the scope from the policies, and any filter. */
  where: Prisma.Sql;
  sort: keyof typeof sortColumns;
  order: 'asc' | 'desc';
  skip: number;
  take: number;
}

/** The assistants matching `where`, in the order asked, then by id. */
export async function findAssistantRecords(db: Db, query: AssistantRecordQuery): Promise<AssistantRecord[]> {
  const rows = await db.$queryRaw<AssistantRow[]>`
    ${selectRecords}
     WHERE ${query.where}
     ORDER BY ${sortColumns[query.sort]} ${query.order === 'desc' ? Prisma.sql`DESC` : Prisma.sql`ASC`}, a.id ASC
     LIMIT ${query.take} OFFSET ${query.skip}`;
  return rows.map(recordOf);
}

export async function countAssistantRecords(db: Db, where: Prisma.Sql): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM assistants a WHERE ${where}`;
  return row!.n;
}

/** One assistant by id, deleted or not (the caller decides what a deleted one means). */
export async function findAssistantRecord(db: Db, id: string): Promise<AssistantRecord | null> {
  const rows = await db.$queryRaw<AssistantRow[]>`
    ${selectRecords}
     WHERE a.id = ${id}::uuid`;
  return rows[0] ? recordOf(rows[0]) : null;
}

function recordOf(r: AssistantRow): AssistantRecord {
  return {
    ...assistantOf(r),
    groups: r.group_ids.map((groupId) => ({ groupId })),
    model: r.m_id === null ? null : { id: r.m_id, name: r.m_name!, displayName: r.m_display_name },
    knowledgeBases: r.knowledge_bases ?? [],
  };
}

/** An assistant as Prisma's Assistant has it, from the row of a read that selected assistantColumns. */
export function assistantOf(r: AssistantColumns): Assistant {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    instructions: r.instructions,
    modelId: r.model_id,
    temperature: r.temperature,
    maxTokens: r.max_tokens,
    avatarPath: r.avatar_path,
    topK: r.top_k,
    similarityThreshold: r.similarity_threshold,
    chunkSize: r.chunk_size,
    chunkOverlap: r.chunk_overlap,
    knowledgeOnly: r.knowledge_only,
    fallbackModelId: r.fallback_model_id,
    builtinTools: r.builtin_tools,
    flowSteps: r.flow_steps,
    attachmentsEnabled: r.attachments_enabled,
    createdById: r.created_by_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
  };
}

/** The assistant's columns as node-postgres and PGlite return them. */
export interface AssistantColumns {
  id: string;
  name: string;
  description: string;
  instructions: string;
  model_id: string | null;
  temperature: number;
  max_tokens: number;
  avatar_path: string | null;
  top_k: number | null;
  similarity_threshold: number | null;
  chunk_size: number | null;
  chunk_overlap: number | null;
  knowledge_only: boolean;
  fallback_model_id: string | null;
  builtin_tools: string[];
  flow_steps: Assistant['flowSteps'];
  attachments_enabled: boolean;
  created_by_id: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** A row of the record reads above: the assistant's columns, its model's names, its groups and knowledge bases. */
interface AssistantRow extends AssistantColumns {
  m_id: string | null;
  m_name: string | null;
  m_display_name: string | null;
  group_ids: string[];
  knowledge_bases: AssistantRecord['knowledgeBases'] | null;
}
