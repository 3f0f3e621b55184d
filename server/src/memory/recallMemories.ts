import type { Database, PrismaClient } from '../db/database.js';
import type { Embedder } from '../ingestion/embed/index.js';
import { vectorLiteral } from '../ingestion/index/chunkStore.js';
import { reciprocalRankFusion, reciprocalRankScore } from '../retrieval/fusion.js';
import { memoryState } from './memoryAccess.js';
import type { Logger } from '../lib/logger.js';

/** A kept memory retrieved for a question. */
export interface RecalledMemory {
  memoryId: string;
  text: string;
  /** Cosine similarity to the question (0..1); 0 when its vector is from another embedder. */
  score: number;
  fusedScore: number;
}

/** At most this many memories go into a prompt. */
export const RECALLED_MEMORIES = 5;

interface MemoryRow {
  id: string;
  text: string;
  embedder: string | null;
  embedding_dim: number | null;
  similarity: number;
  matched: boolean;
  text_score: number;
}

/**
 * The user's kept memories relevant to a question, best first: the same
 * hybrid idea as knowledge retrieval, on a corpus of one user's notes. A user
 * has at most a thousand, so every kept one is scored exactly in one query
 * (no index): cosine similarity with the configured embedder, and a full-text
 * match of any of the question's words (tsvector, ts_rank_cd). The two lists
 * are fused by reciprocal rank (retrieval/fusion.ts). As for passages, a
 * memory sharing no word with the question must clear the similarity
 * threshold. Nothing is read or embedded when memory is off for the user.
 */
export async function recallMemories(
  deps: { db: Pick<Database, 'query'>; prisma: PrismaClient; embedder: Embedder; minScore: number; logger: Logger },
  userId: string,
  question: string,
  limit = RECALLED_MEMORIES,
  /** The caller already checked that memory is on for the user. */
  checked = false,
): Promise<RecalledMemory[]> {
  const [active, kept] = await Promise.all([checked || memoryState(deps.db, userId).then((state) => state.active), deps.prisma.memory.count({ where: { userId, status: 'kept' } })]);
  if (!active || kept === 0 || !question.trim()) return [];

  const { embedder } = deps;
  const dim = embedder.dimension;
  const [queryVector] = await embedder.embed([question], 'query');
  const rows = await deps.prisma.$queryRawUnsafe<MemoryRow[]>(
    `WITH q AS (SELECT NULLIF(replace(plainto_tsquery('english', $3)::text, '&', '|'), '')::tsquery AS query)
     SELECT m.id::text AS id, m.text, m.embedder, m.embedding_dim,
            CASE WHEN m.embedder = $4 AND m.embedding_dim = ${dim} THEN 1 - ((m.embedding::vector(${dim})) <=> $2::vector(${dim})) ELSE 0 END::float8 AS similarity,
            coalesce(m.tsv @@ q.query, false) AS matched,
            CASE WHEN m.tsv @@ q.query THEN ts_rank_cd(m.tsv, q.query) ELSE 0 END::float8 AS text_score
       FROM memories m CROSS JOIN q
      WHERE m.user_id = $1::uuid AND m.status = 'kept'`,
    userId,
    vectorLiteral(queryVector!),
    question,
    embedder.name,
  );
  const stale = rows.filter((r) => r.embedder !== embedder.name || r.embedding_dim !== dim);
  if (stale.length) void reembedStale(deps, stale).catch((error: unknown) => deps.logger.warn({ err: error, userId }, 'could not re-embed memories'));

  const byVector = rows.filter((r) => r.embedder === embedder.name).sort((a, b) => b.similarity - a.similarity);
  const byText = rows.filter((r) => r.matched).sort((a, b) => b.text_score - a.text_score);
  const rank = (list: MemoryRow[], row: MemoryRow) => {
    const index = list.indexOf(row);
    return index < 0 ? undefined : index + 1;
  };
  return rows
    .filter((r) => r.matched || r.similarity >= deps.minScore)
    .map((r) => ({ memoryId: r.id, text: r.text, score: Math.max(0, r.similarity), fusedScore: reciprocalRankScore(reciprocalRankFusion.k, [rank(byVector, r), rank(byText, r)]) }))
    .sort((a, b) => b.fusedScore - a.fusedScore || b.score - a.score)
    .slice(0, limit);
}

// Memories embedded by an earlier embedder get a vector from the current one,
// off the answer's path (the text leg finds them meanwhile).
async function reembedStale(deps: { prisma: PrismaClient; embedder: Embedder }, stale: MemoryRow[]): Promise<void> {
  const vectors = await deps.embedder.embed(stale.map((r) => r.text), 'document');
  for (const [i, row] of stale.entries()) {
    await deps.prisma.$executeRaw`UPDATE memories SET embedder = ${deps.embedder.name}, embedding_dim = ${deps.embedder.dimension}, embedding = ${vectorLiteral(vectors[i]!)}::vector WHERE id = ${row.id}::uuid`;
  }
}
