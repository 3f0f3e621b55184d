import type { Database } from '../db/database.js';
import { inverseDocumentFrequency, type CorpusStatistics } from './bm25.js';
import type { SearchScope } from './searchScope.js';

/** A lexeme of the question as the full-text index sees it, with its weight in the searched bases' corpus. */
export interface QueryTerm {
  lexeme: string;
  /** Word positions in the question (stop words count), for proximity evidence. */
  positions: number[];
  /** Chunks of the searched bases that contain the lexeme. */
  documentFrequency: number;
  idf: number;
}

export interface AnalysedQuery {
  /** Lexemes that occur in the corpus; others can match nothing and are left out. */
  terms: QueryTerm[];
  corpus: CorpusStatistics;
  /**
   * Every lexeme of the searched chunks that is a term or shares a term's
   * first letters (evidenceParameters.prefixLength): the word forms whose
   * occurrences a candidate's evidence reads. Looked up once per question so
   * each candidate's occurrences are a cheap filter of its tsvector.
   */
  variants: string[];
}

interface TermRow {
  lexeme: string;
  positions: number[] | null;
  // Sums: bigint or numeric, which the driver may give as text.
  document_frequency: number | bigint | string;
  corpus_chunks: number | bigint | string | null;
  corpus_tokens: number | bigint | string | null;
  variants: string[] | null;
}

/**
 * The question through the same analysers as the searched bases' chunks (one
 * per language among them; the lexemes are matched literally, so each finds
 * the chunks parsed the same way), with document frequencies summed over the
 * bases from the statistics the chunk triggers maintain (migrations
 * 20261201000000_chunk_term_statistics, 20270101000000_knowledge_bases): a
 * primary-key lookup per term and base, whatever the size of the corpus.
 */
export async function analyseQuery(
  db: Pick<Database, 'query'>,
  scope: Pick<SearchScope, 'baseIds' | 'languages'> & Partial<Pick<SearchScope, 'attachmentIds'>>,
  query: string,
  /** How many first letters make two lexemes forms of one word (AnalysedQuery.variants). */
  prefixLength: number,
): Promise<AnalysedQuery> {
  // A conversation's attachments are counted directly from their chunks (a few
  // hundred at most; they have no statistics rows) and added to the bases'.
  // Without attachments those parts are left out of the text, not just given
  // an empty list: Postgres plans this statement anew on every run (its
  // generic plan never wins), and planning them cost more than running it.
  const attached = (scope.attachmentIds?.length ?? 0) > 0;
  const withAttached = (sql: string) => (attached ? sql : '');
  const rows = await db.query<TermRow>(
    `WITH corpus AS (
       SELECT coalesce((SELECT sum(chunk_count) FROM chunk_corpus_stats WHERE knowledge_base_id = ANY ($2::uuid[])), 0)
              ${withAttached('+ (SELECT count(*) FROM chunks WHERE attachment_id = ANY ($4::uuid[]))')} AS chunk_count,
              coalesce((SELECT sum(token_count) FROM chunk_corpus_stats WHERE knowledge_base_id = ANY ($2::uuid[])), 0)
              ${withAttached('+ coalesce((SELECT sum(token_count) FROM chunks WHERE attachment_id = ANY ($4::uuid[])), 0)')} AS token_count
     ),
     q AS (
       SELECT DISTINCT ON (u.lexeme) u.lexeme, u.positions
         FROM unnest($3::text[]) AS l(language) CROSS JOIN LATERAL unnest(to_tsvector(l.language::regconfig, $1)) AS u
        ORDER BY u.lexeme, l.language
     ),
     terms AS (
       SELECT q.lexeme, q.positions,
              (SELECT coalesce(sum(s.chunk_count), 0) FROM chunk_term_stats s WHERE s.knowledge_base_id = ANY ($2::uuid[]) AND s.lexeme = q.lexeme)
              ${withAttached('+ (SELECT count(*) FROM chunks c WHERE c.attachment_id = ANY ($4::uuid[]) AND q.lexeme = ANY (tsvector_to_array(c.tsv)))')} AS document_frequency
         FROM q
     ),
     prefixes AS (SELECT DISTINCT left(lexeme, ${prefixLength}) AS prefix FROM terms WHERE document_frequency > 0 AND length(lexeme) >= ${prefixLength}),
     variants AS (
       SELECT coalesce(array_agg(DISTINCT v.lexeme), '{}') AS lexemes
         FROM (SELECT lexeme FROM terms WHERE document_frequency > 0
               UNION ALL
               SELECT s.lexeme FROM prefixes p JOIN chunk_term_stats s ON s.knowledge_base_id = ANY ($2::uuid[]) AND left(s.lexeme, ${prefixLength}) = p.prefix
               ${withAttached(`UNION ALL
               SELECT l.lexeme FROM chunks c CROSS JOIN LATERAL unnest(tsvector_to_array(c.tsv)) AS l(lexeme)
                WHERE c.attachment_id = ANY ($4::uuid[]) AND left(l.lexeme, ${prefixLength}) IN (SELECT prefix FROM prefixes)`)}) AS v
     )
     SELECT t.lexeme, t.positions::int[] AS positions, t.document_frequency,
            corpus.chunk_count AS corpus_chunks, corpus.token_count AS corpus_tokens, variants.lexemes AS variants
       FROM corpus CROSS JOIN terms t CROSS JOIN variants
      WHERE corpus.chunk_count > 0`,
    [query, scope.baseIds, scope.languages, ...(attached ? [scope.attachmentIds] : [])],
  );
  const chunkCount = Number(rows[0]?.corpus_chunks ?? 0);
  const averageLength = chunkCount > 0 ? Number(rows[0]!.corpus_tokens ?? 0) / chunkCount : 1;
  const terms = rows
    .map((r) => ({ lexeme: r.lexeme, positions: r.positions ?? [], documentFrequency: Number(r.document_frequency) }))
    .filter((t) => t.documentFrequency > 0)
    .map((t) => ({ ...t, idf: inverseDocumentFrequency(t.documentFrequency, chunkCount) }));
  return { terms, corpus: { chunkCount, averageLength }, variants: rows[0]?.variants ?? [] };
}

/**
 * The tsquery that selects full-text candidates, chosen so the number of
 * chunks it can match stays bounded on any corpus: the question's rarest
 * lexemes, OR-ed while their document frequencies add up to at most `budget`.
 * Frequent lexemes still count in the BM25 score of every candidate; they just
 * do not pull in candidates of their own (the MaxScore idea: a chunk holding
 * only very common words of the question would rank low anyway). When even
 * the rarest lexeme is too common, candidates must hold the rarest lexemes
 * together (AND), as many as it takes for the expected matches (frequencies
 * taken as independent) to fit the budget, leaving out lexemes found in more
 * than half the chunks.
 */
export function candidateTsQuery(terms: QueryTerm[], budget: number, chunkCount = Infinity): string | null {
  const byRarity = [...terms].sort((a, b) => a.documentFrequency - b.documentFrequency || a.lexeme.localeCompare(b.lexeme));
  if (byRarity.length === 0) return null;
  if (byRarity[0]!.documentFrequency > budget) {
    const required = [byRarity[0]!];
    let expected = byRarity[0]!.documentFrequency;
    // A term in most chunks hardly narrows the matches, and its posting list is
    // the costliest to intersect (at a million chunks, a third of a second for
    // three such terms): such terms are left to scoring, not to selection.
    const narrowing = Number.isFinite(chunkCount) ? byRarity.slice(1).filter((t) => t.documentFrequency <= chunkCount / 2) : byRarity.slice(1);
    for (const term of narrowing) {
      if (expected <= budget) break;
      required.push(term);
      expected *= Number.isFinite(chunkCount) && chunkCount > 0 ? Math.min(1, term.documentFrequency / chunkCount) : 0;
    }
    return required.map((t) => tsQueryLexeme(t.lexeme)).join(' & ');
  }
  const picked: string[] = [];
  let expected = 0;
  for (const term of byRarity) {
    if (picked.length > 0 && expected + term.documentFrequency > budget) break;
    picked.push(tsQueryLexeme(term.lexeme));
    expected += term.documentFrequency;
  }
  return picked.join(' | ');
}

// A lexeme as a tsquery operand, taken literally (no second pass through the
// stemmer): quoted, with quotes and backslashes doubled.
function tsQueryLexeme(lexeme: string): string {
  return `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
