import type { PassageEvidence } from './passageEvidence.js';

// How the two retrieval lists become one order.
//
// 'evidence' (the offline embedder's default) is score-level fusion: every
// candidate from either list is scored on its text evidence, divided by the
// question's total IDF so it lies on the same 0..~3 scale for every question
// and corpus size, plus a weighted cosine similarity. Reciprocal rank fusion
// throws the scores away and, with an embedder much weaker than BM25, lets the
// vector list pull good full-text hits down (SQuAD subset: plain RRF 77.6%
// top-1 against 82.1% for BM25 alone).
//
// 'rrf' is reciprocal rank fusion (Cormack et al., k = 60) of the vector list
// and the BM25 list: kept for embedders whose weight against text evidence has
// not been measured (OpenAI-compatible ones), where a semantic model's list
// deserves an equal say.

export type FusionStrategy = { kind: 'evidence'; weights: FusionWeights } | { kind: 'rrf'; k: number };

export interface FusionWeights {
  /** Per unit of BM25 / Σ idf. */
  bm25: number;
  proximity: number;
  window: number;
  morphology: number;
  /** Per unit of coverage (0..1). */
  coverage: number;
  /** Per unit of cosine similarity (0..1). */
  similarity: number;
}

/**
 * Chosen on the SQuAD subset in tests/fixtures/qa, questions of the Warsaw and
 * Teacher articles only (Victoria and Oxygen held out), with the offline
 * embedder, by coordinate ascent over a small grid. `npx tsx
 * bench/qa/retrievalQuality.ts --tune` repeats the search through the real
 * retriever and prints what each feature is worth; it moves these weights only
 * within noise (a question or two of 510). The cosine similarity earns no
 * weight there: the offline embedder hashes the same words BM25 already
 * counts, and its list adds candidates (passages sharing no word, other word
 * forms) more than ordering. An OpenAI-style embedder would deserve a weight
 * of its own, measured the same way.
 */
export const defaultFusionWeights: FusionWeights = {
  bm25: 1,
  proximity: 2,
  window: 1,
  morphology: 0.4,
  coverage: 0.8,
  similarity: 0,
};

export const evidenceFusion: FusionStrategy = { kind: 'evidence', weights: defaultFusionWeights };
export const reciprocalRankFusion = { kind: 'rrf', k: 60 } as const satisfies FusionStrategy;

export function fusedScore(weights: FusionWeights, evidence: PassageEvidence, similarity: number, idfTotal: number): number {
  const lexical =
    idfTotal > 0
      ? (weights.bm25 * evidence.bm25 + weights.proximity * evidence.proximity + weights.window * evidence.window + weights.morphology * evidence.morphology) / idfTotal
      : 0;
  return lexical + weights.coverage * evidence.coverage + weights.similarity * similarity;
}

/** Reciprocal rank fusion of one candidate: Σ 1 / (k + rank) over the lists it is in (1-based ranks). */
export function reciprocalRankScore(k: number, ranks: readonly (number | undefined)[]): number {
  return ranks.reduce<number>((sum, rank) => (rank ? sum + 1 / (k + rank) : sum), 0);
}
