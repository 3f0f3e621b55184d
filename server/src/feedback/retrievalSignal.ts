import type { Passage } from '../retrieval/retrievePassages.js';

/**
 * What retrieval found for an answer, stored on the answer so the
 * knowledge-gap report can find questions the knowledge does not cover:
 * how many passages, and the best one's similarity to the question.
 */
export function retrievalSignal(passages: Pick<Passage, 'score'>[]): { retrievalPassages: number; retrievalTopScore: number | null } {
  return { retrievalPassages: passages.length, retrievalTopScore: passages.length ? Math.max(...passages.map((p) => p.score)) : null };
}
