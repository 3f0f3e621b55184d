import type { PrismaClient } from '../db/database.js';
import type { Embedder } from '../ingestion/embed/index.js';
import { vectorLiteral } from '../ingestion/index/chunkStore.js';
import type { Reranker } from './reranker.js';

export interface Passage {
  chunkId: string;
  fileId: string;
  fileName: string;
  page: number | null;
  section: string | null;
  text: string;
  /** Cosine similarity of the passage to the question (0..1). */
  score: number;
  /** Reciprocal-rank-fusion score that ordered the results. */
  fusedScore: number;
  /** 1-based rank in each list, when the passage was in it. */
  vectorRank?: number;
  textRank?: number;
}

export type RetrievalMode = 'hybrid' | 'vector' | 'text';

export interface RetrievalRequest {
  assistantId: string;
  query: string;
  topK: number;
  /** Minimum cosine similarity for a passage found only by the vector search. */
  minScore: number;
  mode?: RetrievalMode;
  /** Candidates taken from each list before fusion. */
  candidates?: number;
}

interface Candidate {
  chunk_id: bigint;
  file_id: string;
  file_name: string;
  page: number | null;
  section: string | null;
  text: string;
  similarity: number;
}

// Reciprocal rank fusion constant (Cormack et al.): dampens the head of each list.
const RRF_K = 60;

/**
 * Hybrid retrieval for one assistant's ready files: nearest neighbours by
 * cosine (pgvector HNSW) and full-text matches (tsvector GIN, any query term),
 * fused by reciprocal rank. A passage that only the vector search found must
 * clear the similarity threshold; a full-text match is kept, since sharing the
 * question's words is evidence of its own. Optionally reranked.
 */
export class PassageRetriever {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly embedder: Embedder,
    /** Used when an assistant sets no threshold of its own. */
    readonly defaultMinScore: number,
    private readonly reranker?: Reranker,
  ) {}

  async retrieve(request: RetrievalRequest): Promise<Passage[]> {
    const mode = request.mode ?? 'hybrid';
    const candidates = request.candidates ?? Math.max(40, request.topK * 8);
    const [queryVector] = await this.embedder.embed([request.query], 'query');
    const vector = vectorLiteral(queryVector!);

    const [byVector, byText] = await Promise.all([
      mode === 'text' ? [] : this.vectorCandidates(request.assistantId, vector, candidates),
      mode === 'vector' ? [] : this.textCandidates(request.assistantId, request.query, vector, candidates),
    ]);

    const fused = new Map<string, Passage>();
    const add = (list: Candidate[], key: 'vectorRank' | 'textRank') =>
      list.forEach((c, i) => {
        const id = c.chunk_id.toString();
        const passage = fused.get(id) ?? {
          chunkId: id,
          fileId: c.file_id,
          fileName: c.file_name,
          page: c.page,
          section: c.section,
          text: c.text,
          score: Math.max(0, Number(c.similarity)),
          fusedScore: 0,
        };
        passage[key] = i + 1;
        passage.fusedScore += 1 / (RRF_K + i + 1);
        fused.set(id, passage);
      });
    add(byVector, 'vectorRank');
    add(byText, 'textRank');

    let results = [...fused.values()]
      .filter((p) => p.textRank !== undefined || p.score >= request.minScore)
      .sort((a, b) => b.fusedScore - a.fusedScore || b.score - a.score);
    if (this.reranker && results.length > 1) results = await this.reranker.rerank(request.query, results.slice(0, candidates));
    return results.slice(0, request.topK);
  }

  private async vectorCandidates(assistantId: string, vector: string, limit: number): Promise<Candidate[]> {
    const dim = this.embedder.dimension;
    // The cast and the embedding_dim predicate match the partial HNSW index of
    // this dimension. Iterative scans keep walking the graph when the
    // assistant/status filter discards neighbours, so filtered queries still
    // return `limit` rows.
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL hnsw.ef_search = ${Math.min(1000, Math.max(64, limit * 2))}`);
      await tx.$executeRawUnsafe(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      return tx.$queryRawUnsafe<Candidate[]>(
        `SELECT c.id AS chunk_id, c.file_id::text, f.original_name AS file_name, c.page, c.section, c.text,
                1 - ((c.embedding::vector(${dim})) <=> $1::vector(${dim})) AS similarity
           FROM chunks c JOIN knowledge_files f ON f.id = c.file_id
          WHERE c.embedding_dim = ${dim} AND c.assistant_id = $2::uuid AND c.embedder = $3 AND f.status = 'ready'
          ORDER BY (c.embedding::vector(${dim})) <=> $1::vector(${dim})
          LIMIT $4`,
        vector,
        assistantId,
        this.embedder.name,
        limit,
      );
    });
  }

  private async textCandidates(assistantId: string, query: string, vector: string, limit: number): Promise<Candidate[]> {
    const dim = this.embedder.dimension;
    // Any of the question's stemmed terms may match (OR), ranked by term
    // frequency normalised by length; an AND query would miss most passages
    // for a question in natural language.
    return this.prisma.$queryRawUnsafe<Candidate[]>(
      `WITH q AS (
         SELECT to_tsquery('english', string_agg(quote_literal(lexeme), ' | ')) AS query
           FROM unnest(tsvector_to_array(to_tsvector('english', $1))) AS lexeme
       )
       SELECT c.id AS chunk_id, c.file_id::text, f.original_name AS file_name, c.page, c.section, c.text,
              CASE WHEN c.embedding_dim = ${dim} THEN 1 - ((c.embedding::vector(${dim})) <=> $2::vector(${dim})) ELSE 0 END AS similarity
         FROM q, chunks c JOIN knowledge_files f ON f.id = c.file_id
        WHERE q.query IS NOT NULL AND c.tsv @@ q.query
          AND c.assistant_id = $3::uuid AND c.embedder = $4 AND f.status = 'ready'
        ORDER BY ts_rank(c.tsv, q.query, 1) DESC, c.id
        LIMIT $5`,
      query,
      vector,
      assistantId,
      this.embedder.name,
      limit,
    );
  }
}
