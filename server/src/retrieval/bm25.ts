// Okapi BM25 (Robertson et al.) as used by the full-text leg of retrieval. The
// database ranks candidates with the same constants (retrievePassages.ts);
// the soft-match evidence computed here saturates term frequency the same way.

/** Term-frequency saturation and length normalisation: the usual defaults. */
export const bm25Parameters = { k1: 1.2, b: 0.75 } as const;

/** The corpus a query is ranked against: the chunks of the knowledge bases searched. */
export interface CorpusStatistics {
  chunkCount: number;
  /** Mean chunk length in tokens (the length BM25 normalises by). */
  averageLength: number;
}

/** Inverse document frequency, Lucene's always-positive form. */
export function inverseDocumentFrequency(documentFrequency: number, chunkCount: number): number {
  return Math.log(1 + (chunkCount - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

/** The BM25 weight of `termFrequency` occurrences in a chunk of `length` tokens, before IDF. */
export function saturatedFrequency(termFrequency: number, length: number, averageLength: number): number {
  const { k1, b } = bm25Parameters;
  if (termFrequency <= 0) return 0;
  return (termFrequency * (k1 + 1)) / (termFrequency + k1 * (1 - b + (b * length) / Math.max(averageLength, 1)));
}
