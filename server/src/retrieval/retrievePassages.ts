import type { Database, PrismaClient } from '../db/database.js';
import type { Embedder } from '../ingestion/embed/index.js';
import { efSearchFor, SESSION_HNSW } from '../db/vectorSearch.js';
import { vectorLiteral } from '../ingestion/index/chunkStore.js';
import { bm25Parameters, saturatedFrequency } from './bm25.js';
import { evidenceFusion, fusedScore, type FusionStrategy } from './fusion.js';
import { evidenceParameters, passageEvidence, type LexemeOccurrences, type PassageEvidence } from './passageEvidence.js';
import { analyseQuery, candidateTsQuery, type AnalysedQuery } from './queryTerms.js';
import type { Reranker } from './reranker.js';
import type { PreparedQuery, SemanticRescorer } from './semantic/semanticRescoring.js';
import { emptyScope, scopeFilter, scopeOfLinks, searchScopeFor, withAttachments, type ScopeLink, type SearchScope } from './searchScope.js';
import type { KnowledgeReader } from '../policies/knowledgeBases.js';

export interface Passage {
  chunkId: string;
  /** The knowledge file, or for an attachment's passage the attachment (see attachmentId). */
  fileId: string;
  /** Set when the passage comes from an attachment of the conversation (docs/attachments.md). */
  attachmentId?: string;
  fileName: string;
  page: number | null;
  section: string | null;
  /** Empty in a candidate pool and what `rank` orders: `retrieve` reads the text of the passages it returns. */
  text: string;
  /** The text's tokens as counted when it was stored (cl100k), so a prompt need not count them again. */
  tokens?: number;
  /** Cosine similarity of the passage to the question (0..1). */
  score: number;
  /** The score that ordered the results: fused evidence (hybrid), BM25 (text) or cosine (vector). */
  fusedScore: number;
  /** 1-based rank in each list, when the passage was in it. */
  vectorRank?: number;
  textRank?: number;
}

export type RetrievalMode = 'hybrid' | 'vector' | 'text';

/**
 * A search begun as a question arrives, beside the conversation's access
 * check, before the assistant is known: its bases for the reader, the
 * question's analysis over them, and the question's sentence vector. The
 * analysis is only made, and only used, when the conversation has no ready
 * attachments (they join the search, and which of them do depends on the
 * model). Nothing of it reaches the asker unless the check passes.
 */
export interface PreparedSearch {
  question: string;
  scope: Promise<SearchScope>;
  /** Null when the conversation has attachments: the search then analyses the question itself. */
  query: Promise<AnalysedQuery | null>;
  /** Encoding starts once there is anything to search (and unused if the assistant's mode is not hybrid). */
  semantic: Promise<PreparedQuery | undefined>;
}

/** A request's prepared search, if it was prepared for this very question. */
const preparedFor = (request: Pick<RetrievalRequest, 'prepared' | 'query'>) => (request.prepared?.question === request.query ? request.prepared : undefined);

export interface RetrievalRequest {
  assistantId: string;
  /** Who asks: only the attached bases they may read are searched. */
  reader: KnowledgeReader;
  query: string;
  topK: number;
  /** Minimum cosine similarity for a passage that shares no word with the question. */
  minScore: number;
  mode?: RetrievalMode;
  /** Candidates taken from each list before fusion. */
  candidates?: number;
  /** Ready attachments of the conversation asked in, searched with the knowledge (the caller owns them). */
  attachmentIds?: string[];
  /** The search's first steps, when the caller started them as the question arrived (prepareSearch). */
  prepared?: PreparedSearch;
  /** How much an attachment passage's score is multiplied by: the question is most likely about what was attached. */
  attachmentBoost?: number;
}

/** A passage from either list with everything fusion looks at. */
export interface RetrievalCandidate extends Passage {
  evidence: PassageEvidence;
}

export interface CandidatePool {
  query: AnalysedQuery;
  /** Σ idf of the question's terms: the scale text evidence is divided by. */
  idfTotal: number;
  candidates: RetrievalCandidate[];
}

export interface RetrieverOptions {
  reranker?: Reranker;
  /** Re-scores the best hybrid passages with stored sentence vectors (before the reranker, when both are set). */
  semantic?: SemanticRescorer;
  /** How the two lists are fused in hybrid mode (default: evidence fusion, tuned for the offline embedder). */
  fusion?: FusionStrategy;
  /**
   * At most this many chunks are expected to match the full-text candidate
   * query (see candidateTsQuery), and at most that many are scored: the
   * bound that keeps the text leg's cost flat as the corpus grows (scoring
   * costs about 5 µs a chunk on native Postgres, so 2,000 is ~10-20 ms).
   */
  textCandidateBudget?: number;
}

// bigint columns: the driver may give them as text.
interface CandidateRow {
  chunk_id: bigint | string;
  file_id: string;
  attachment_id: string | null;
  file_name: string;
  page: number | null;
  section: string | null;
  token_count: number;
  similarity: number;
  occurrences: string;
  /** Null when the chunk is not in that list (or the mode leaves the list out). */
  vector_rank: bigint | number | string | null;
  text_rank: bigint | number | string | null;
}

/** One list's common table expressions, ending in `<name> AS (SELECT id, rank ...)`, and the parameters they add. */
interface CandidateList {
  name: 'vector_hits' | 'text_hits';
  sql: string;
  parameters: unknown[];
}

/**
 * Hybrid retrieval over the ready files of the knowledge bases attached to an
 * assistant that the asking person may read. Two index-backed lists:
 * nearest neighbours by cosine (pgvector HNSW) and full-text matches ranked by
 * BM25 (tsvector GIN for the matches, per-base lexeme statistics summed over
 * the bases searched for IDF). Their union is scored on text evidence (BM25, proximity of the
 * question's words, other word forms, coverage) plus weighted similarity and
 * fused at score level. A passage that shares no word with the question must
 * clear the similarity threshold; one that does is kept, since sharing the
 * question's words is evidence of its own. Optionally reranked.
 */
export class PassageRetriever {
  private readonly reranker?: Reranker;
  private readonly semantic?: SemanticRescorer;
  private readonly fusion: FusionStrategy;
  private readonly textCandidateBudget: number;
  private readonly prisma: PrismaClient;

  constructor(
    private readonly db: Pick<Database, 'prisma' | 'query'>,
    private readonly embedder: Embedder,
    /** Used when an assistant sets no threshold of its own. */
    readonly defaultMinScore: number,
    options: RetrieverOptions = {},
  ) {
    this.prisma = db.prisma;
    this.reranker = options.reranker;
    this.semantic = options.semantic;
    this.fusion = options.fusion ?? evidenceFusion;
    this.textCandidateBudget = options.textCandidateBudget ?? 2_000;
  }

  /**
   * Starts a conversation's search for `question` (see PreparedSearch) from
   * the read a question starts with: the asker's readable bases attached to
   * the conversation's assistant, and the conversation's ready attachments.
   */
  prepareSearch(question: string, turn: Promise<{ knowledgeLinks: ScopeLink[]; attachments: unknown[] }>): PreparedSearch {
    const scope = turn.then((t) => scopeOfLinks(this.prisma, t.knowledgeLinks));
    const attachments = turn.then((t) => t.attachments);
    const known = Promise.all([scope, attachments]);
    const query = known.then(([bases, attached]) =>
      attached.length > 0 || emptyScope(bases) ? null : analyseQuery(this.db, bases, question, evidenceParameters.prefixLength),
    );
    const semantic = known.then(([bases, attached]) => (attached.length === 0 && emptyScope(bases) ? undefined : this.semantic?.prepare(question)));
    // Awaited by the search, or dropped when the access check refuses.
    for (const step of [scope, query, semantic]) step.catch(() => undefined);
    return { question, scope, query, semantic };
  }

  async retrieve(request: RetrievalRequest): Promise<Passage[]> {
    const prepared = preparedFor(request);
    const question = (request.mode ?? 'hybrid') === 'hybrid' ? (prepared ? await prepared.semantic : this.semantic?.prepare(request.query)) : undefined;
    const pool = await this.candidatePool(request);
    let results = this.rank(pool, { ...request, topK: Infinity });
    if (question && results.length > 1) results = await this.semantic!.rescore(question, results);
    results = favourAttachments(results, request.attachmentBoost ?? 1);
    if (this.reranker && results.length > 1) results = await this.reranker.rerank(request.query, await this.withTexts(results.slice(0, this.candidateCount(request))));
    return this.withTexts(results.slice(0, request.topK));
  }

  /**
   * The passages with their texts, read by id. The candidate lists leave the
   * text out: they bring back 80 passages for the five or so an answer keeps,
   * and their texts were the largest part of an answer's reads (about 140 KB
   * for the process to decode).
   */
  private async withTexts(passages: Passage[]): Promise<Passage[]> {
    const missing = passages.filter((p) => !p.text).map((p) => p.chunkId);
    if (missing.length === 0) return passages;
    const rows = await this.db.query<{ id: string; text: string }>('SELECT id::text AS id, text FROM chunks WHERE id = ANY ($1::bigint[])', [missing]);
    const texts = new Map(rows.map((r) => [r.id, r.text]));
    // A passage whose chunk went in between (its file deleted or re-indexed) is left out, not shown empty.
    return passages.flatMap((p) => (p.text ? [p] : texts.has(p.chunkId) ? [{ ...p, text: texts.get(p.chunkId)! }] : []));
  }

  /**
   * Orders a pool for a mode and applies the threshold: what `retrieve` does
   * between fetching candidates and the optional reranker.
   */
  rank(pool: CandidatePool, request: Pick<RetrievalRequest, 'mode' | 'minScore' | 'topK'>): Passage[] {
    return rankCandidates(pool, request.mode ?? 'hybrid', this.fusion)
      .filter((p) => p.evidence.bm25 > 0 || p.score >= request.minScore)
      .slice(0, request.topK)
      .map(({ evidence: _evidence, ...passage }) => passage);
  }

  /** Both lists for a question, unranked, with their evidence: what `retrieve` fuses (and what tuning replays). */
  async candidatePool(request: Omit<RetrievalRequest, 'topK' | 'minScore'> & { topK?: number }): Promise<CandidatePool> {
    const mode = request.mode ?? 'hybrid';
    const limit = this.candidateCount(request);
    const prepared = preparedFor(request);
    const attachmentIds = request.attachmentIds ?? [];
    const scope = prepared
      ? withAttachments(await prepared.scope, attachmentIds)
      : await searchScopeFor(this.prisma, request.assistantId, request.reader, attachmentIds);
    if (emptyScope(scope)) return { query: { terms: [], corpus: { chunkCount: 0, averageLength: 1 }, variants: [] }, idfTotal: 0, candidates: [] };
    const analyse = () => analyseQuery(this.db, scope, request.query, evidenceParameters.prefixLength);
    const [[queryVector], query] = await Promise.all([
      this.embedder.embed([request.query], 'query'),
      prepared && attachmentIds.length === 0 ? prepared.query.then((analysed) => analysed ?? analyse()) : analyse(),
    ]);
    const rows = await this.candidates(scope, vectorLiteral(queryVector!), query, limit, mode);
    const idfTotal = query.terms.reduce((sum, t) => sum + t.idf, 0);
    const candidates = rows.map((row) => {
      const candidate = this.candidateFrom(row, query);
      if (row.vector_rank !== null) candidate.vectorRank = Number(row.vector_rank);
      if (row.text_rank !== null) candidate.textRank = Number(row.text_rank);
      return candidate;
    });
    return { query, idfTotal, candidates };
  }

  private candidateCount(request: { topK?: number; candidates?: number }): number {
    return request.candidates ?? Math.max(40, (request.topK ?? 5) * 8);
  }

  private candidateFrom(row: CandidateRow, query: AnalysedQuery): RetrievalCandidate {
    const occurrences = (JSON.parse(row.occurrences) as [string, number[]][]).map(([lexeme, positions]): LexemeOccurrences => ({ lexeme, positions: positions ?? [] }));
    const length = Number(row.token_count);
    const bm25 = query.terms.reduce((sum, term) => {
      const found = occurrences.find((o) => o.lexeme === term.lexeme);
      return found ? sum + term.idf * saturatedFrequency(Math.max(1, found.positions.length), length, query.corpus.averageLength) : sum;
    }, 0);
    return {
      chunkId: row.chunk_id.toString(),
      fileId: row.file_id,
      ...(row.attachment_id ? { attachmentId: row.attachment_id } : {}),
      fileName: row.file_name,
      page: row.page,
      section: row.section,
      text: '',
      tokens: length,
      score: Math.max(0, Number(row.similarity)),
      fusedScore: 0,
      evidence: passageEvidence(query.terms, query.corpus, { bm25, length, occurrences }),
    };
  }

  /**
   * Both lists in one statement: they overlap heavily (most chunks near the
   * question also share its words), so each chunk is described once (its
   * similarity, lexeme positions and file name) and parsed once, in one round
   * trip. Parameters $1-$4 serve both lists and the description, the scope
   * filter's follow from $5 (both lists bind the same ones), then the text
   * list's own. Mode 'vector' leaves the text list out, as does a question
   * with no lexeme to match (candidateTsQuery); mode 'text' the vector list.
   */
  private async candidates(scope: SearchScope, vector: string, query: AnalysedQuery, limit: number, mode: RetrievalMode): Promise<CandidateRow[]> {
    const dim = this.embedder.dimension;
    const filter = scopeFilter(scope, 5);
    const shared = [vector, query.variants, this.embedder.name, limit, ...filter.parameters];
    const lists = [
      mode === 'text' ? undefined : this.vectorHits(dim, filter.sql),
      mode === 'vector' ? undefined : this.textHits(query, filter.sql, shared.length + 1),
    ].filter((list) => list !== undefined);
    if (lists.length === 0) return [];
    const sql = `WITH ${lists.map((list) => list.sql).join(',\n')},
         hits AS (${combinedHits(lists)})
         ${this.describeHits(dim, 3, 2)}`;
    const parameters = [...shared, ...lists.flatMap((list) => list.parameters)];
    const efSearch = efSearchFor(limit);
    if (mode === 'text' || efSearch === SESSION_HNSW.efSearch) return this.db.query<CandidateRow>(sql, parameters);
    // A vector list wider than the session's default widens ef_search for the statement's own transaction only.
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(`SELECT set_config('hnsw.ef_search', $1, true)`, String(efSearch));
      return tx.$queryRawUnsafe<CandidateRow[]>(sql, ...parameters);
    });
  }

  // What the hits of both lists are described with: the chunk (not its text, which
  // withTexts reads for the passages kept), its similarity and the
  // positions of the question's lexemes and of their other forms (same
  // prefix), read from the tsvector of these few rows only. Similarity only
  // against vectors of the current embedder (parameter `embedder`): a chunk
  // still waiting to be re-embedded has none comparable with the question's.
  // Occurrences are read for the question's word forms only (parameter
  // `variants`, AnalysedQuery.variants): a filter of the tsvector in C, not an
  // unnest of every lexeme the chunk holds. Ordered as the pool always was:
  // the vector list, then what only the text list found.
  private describeHits(dim: number, embedder: number, variants: number): string {
    return `SELECT c.id AS chunk_id, coalesce(c.file_id, c.attachment_id)::text AS file_id, c.attachment_id::text AS attachment_id,
                   coalesce(f.original_name, a.original_name) AS file_name, c.page, c.section, c.token_count, h.vector_rank, h.text_rank,
                   CASE WHEN c.embedding_dim = ${dim} AND c.embedder = $${embedder} THEN 1 - ((c.embedding::vector(${dim})) <=> $1::vector(${dim})) ELSE 0 END AS similarity,
                   (SELECT coalesce(json_agg(json_build_array(u.lexeme, u.positions)), '[]'::json)::text
                      FROM unnest(ts_filter(setweight(c.tsv, 'A', $${variants}::text[]), '{a}')) AS u) AS occurrences
              FROM hits h JOIN chunks c ON c.id = h.id
              LEFT JOIN knowledge_files f ON f.id = c.file_id LEFT JOIN conversation_attachments a ON a.id = c.attachment_id
             ORDER BY h.vector_rank NULLS LAST, h.text_rank`;
  }

  private vectorHits(dim: number, filter: string): CandidateList {
    // The cast and the embedding_dim predicate match the partial HNSW index of
    // this dimension. Iterative scans keep walking the graph when the
    // base/file filter discards neighbours, so filtered queries still
    // return `limit` rows; every session starts with them on (db/vectorSearch.ts).
    const sql = `nearest AS (
           SELECT c.id, (c.embedding::vector(${dim})) <=> $1::vector(${dim}) AS distance
             FROM chunks c
            WHERE c.embedding_dim = ${dim} AND c.embedder = $3 AND ${filter}
            ORDER BY (c.embedding::vector(${dim})) <=> $1::vector(${dim})
            LIMIT $4
         ),
         vector_hits AS (SELECT id, row_number() OVER (ORDER BY distance, id) AS rank FROM nearest)`;
    return { name: 'vector_hits', sql, parameters: [] };
  }

  private textHits(query: AnalysedQuery, filter: string, first: number): CandidateList | undefined {
    const tsQuery = candidateTsQuery(query.terms, this.textCandidateBudget, query.corpus.chunkCount);
    if (!tsQuery) return undefined;
    const { k1, b } = bm25Parameters;
    const parameters = [query.terms.map((t) => t.lexeme), query.terms.map((t) => t.idf), tsQuery, this.textCandidateBudget, Math.max(1, query.corpus.averageLength)];
    const [lexemes, idfs, matching, budget, averageLength] = parameters.map((_, i) => `$${first + i}`);
    // Candidates come from the GIN index, at most the budget of them (an OR of
    // rare lexemes cannot match more; an AND of common ones is cut there, at
    // a million chunks the difference between 35 and 70 ms);
    // each is scored by BM25 over all the question's lexemes, with term
    // frequencies read from the tsvector positions of just those lexemes
    // (setweight marks them, ts_filter keeps them). Chunks of every embedder
    // are matched: words need no vectors, so a file being re-embedded
    // (reembedFileJob.ts) is still found.
    const sql = `matched AS (
         SELECT c.id, c.token_count, c.tsv
           FROM chunks c
          WHERE c.tsv @@ ${matching}::tsquery AND ${filter}
          LIMIT ${budget}
       ),
       text_hits AS (
         SELECT m.id,
                row_number() OVER (
                  ORDER BY sum(t.idf * (greatest(1, cardinality(u.positions)) * ${k1 + 1})
                                 / (greatest(1, cardinality(u.positions)) + ${k1} * (1 - ${b} + ${b} * m.token_count / ${averageLength}::float8))) DESC, m.id
                ) AS rank
           FROM matched m
           CROSS JOIN LATERAL unnest(ts_filter(setweight(m.tsv, 'A', ${lexemes}::text[]), '{a}')) AS u
           JOIN unnest(${lexemes}::text[], ${idfs}::float8[]) AS t(lexeme, idf) ON t.lexeme = u.lexeme
          GROUP BY m.id
          ORDER BY rank
          LIMIT $4
       )`;
    return { name: 'text_hits', sql, parameters };
  }
}

/**
 * The lists side by side, one row a chunk with its rank in each (null where
 * it is not in one): the union of what each list found, ranks unchanged (a
 * list names a chunk once, so min() only drops the other arm's null).
 */
function combinedHits(lists: CandidateList[]): string {
  const arms = lists.map((list) =>
    list.name === 'vector_hits'
      ? 'SELECT id, rank AS vector_rank, NULL::bigint AS text_rank FROM vector_hits'
      : 'SELECT id, NULL::bigint AS vector_rank, rank AS text_rank FROM text_hits',
  );
  return `SELECT id, min(vector_rank) AS vector_rank, min(text_rank) AS text_rank FROM (${arms.join(' UNION ALL ')}) AS ranked GROUP BY id`;
}

/**
 * Attachment passages moved up by multiplying their score (ties and the
 * order among the rest kept): what "favoured" means in docs/attachments.md.
 */
export function favourAttachments(passages: Passage[], boost: number): Passage[] {
  if (boost === 1 || !passages.some((p) => p.attachmentId)) return passages;
  return passages
    .map((p) => (p.attachmentId ? { ...p, fusedScore: p.fusedScore * boost } : p))
    .sort((a, b) => b.fusedScore - a.fusedScore || b.score - a.score || Number(a.chunkId) - Number(b.chunkId));
}

/**
 * Orders a candidate pool: by cosine (vector), by BM25 (text, the full-text
 * leg alone) or fused (hybrid). Ties go to the higher similarity.
 */
export function rankCandidates(pool: CandidatePool, mode: RetrievalMode, fusion: FusionStrategy = evidenceFusion): RetrievalCandidate[] {
  const hybridScore = (c: RetrievalCandidate) =>
    fusion.kind === 'evidence'
      ? fusedScore(fusion.weights, c.evidence, c.score, pool.idfTotal)
      : (c.vectorRank ? 1 / (fusion.k + c.vectorRank) : 0) + (c.textRank ? 1 / (fusion.k + c.textRank) : 0);
  const scoreOf = (c: RetrievalCandidate) => (mode === 'vector' ? c.score : mode === 'text' ? c.evidence.bm25 : hybridScore(c));
  return pool.candidates
    .filter((c) => (mode === 'vector' ? c.vectorRank !== undefined : mode === 'text' ? c.textRank !== undefined : true))
    .map((c) => ({ ...c, fusedScore: scoreOf(c) }))
    .sort((a, b) => b.fusedScore - a.fusedScore || b.score - a.score || Number(a.chunkId) - Number(b.chunkId));
}
