import { saturatedFrequency, type CorpusStatistics } from './bm25.js';
import type { QueryTerm } from './queryTerms.js';

// What a candidate passage shows about the question beyond a bag of words,
// read from the positions of the question's lexemes in its tsvector (stop
// words keep their positions there, so distances are distances in the text):
// whether the question's words stand together as they do in the question, and
// whether it holds other forms of a question word the stemmer did not merge
// ("Poland"/"Polish", "teach"/"teacher"). Questions in natural language often
// restate one sentence of the passage that answers them; BM25 alone cannot
// tell that sentence from the same words scattered over a paragraph.

/** Lexemes of a passage that equal, or share a prefix with, a lexeme of the question. */
export interface LexemeOccurrences {
  lexeme: string;
  positions: number[];
}

export interface PassageEvidence {
  /** Okapi BM25 of the passage for the question (exact lexemes). */
  bm25: number;
  /** Share of the question's IDF mass whose lexemes the passage contains (0..1). */
  coverage: number;
  /** Consecutive question terms found close together: Σ min(idf) / distance, for distance ≤ `pairDistance`. */
  proximity: number;
  /** The largest IDF mass of distinct question terms within `windowWidth` consecutive words. */
  window: number;
  /** BM25-like weight of question terms present only in another form (same prefix). */
  morphology: number;
}

export const evidenceParameters = {
  pairDistance: 3,
  windowWidth: 12,
  /** Characters a different form must share with the question's lexeme, and the shortest lexeme considered. */
  prefixLength: 4,
} as const;

/** The prefixes that select morphology candidates for the question (see `morphology`). */
export function morphologyPrefixes(terms: QueryTerm[]): string[] {
  const { prefixLength } = evidenceParameters;
  return [...new Set(terms.filter((t) => t.lexeme.length >= prefixLength).map((t) => t.lexeme.slice(0, prefixLength)))];
}

export function passageEvidence(
  terms: QueryTerm[],
  corpus: CorpusStatistics,
  passage: { bm25: number; length: number; occurrences: LexemeOccurrences[] },
): PassageEvidence {
  const { pairDistance, windowWidth, prefixLength } = evidenceParameters;
  const positionsOf = new Map<string, number[]>();
  for (const o of passage.occurrences) positionsOf.set(o.lexeme, o.positions);

  let idfTotal = 0;
  let idfMatched = 0;
  let morphology = 0;
  const events: { position: number; term: QueryTerm }[] = [];
  for (const term of terms) {
    idfTotal += term.idf;
    const exact = positionsOf.get(term.lexeme);
    if (exact) {
      idfMatched += term.idf;
      for (const position of exact) events.push({ position, term });
      continue;
    }
    if (term.lexeme.length < prefixLength) continue;
    const prefix = term.lexeme.slice(0, prefixLength);
    let frequency = 0;
    for (const o of passage.occurrences) if (o.lexeme !== term.lexeme && o.lexeme.startsWith(prefix)) frequency += Math.max(1, o.positions.length);
    morphology += term.idf * saturatedFrequency(frequency, passage.length, corpus.averageLength);
  }

  return {
    bm25: passage.bm25,
    coverage: idfTotal > 0 ? idfMatched / idfTotal : 0,
    proximity: pairProximity(terms, positionsOf, pairDistance),
    window: bestWindow(events, windowWidth),
    morphology,
  };
}

// Terms next to each other in the question (in word order), found at most
// `maxDistance` words apart in the passage.
function pairProximity(terms: QueryTerm[], positionsOf: Map<string, number[]>, maxDistance: number): number {
  const sequence = terms
    .flatMap((term) => term.positions.map((position) => ({ position, term })))
    .sort((a, b) => a.position - b.position)
    .map((x) => x.term);
  let score = 0;
  for (let i = 0; i + 1 < sequence.length; i++) {
    const a = sequence[i]!;
    const b = sequence[i + 1]!;
    if (a === b) continue;
    const pa = positionsOf.get(a.lexeme);
    const pb = positionsOf.get(b.lexeme);
    if (!pa || !pb) continue;
    const distance = minimumDistance(pa, pb);
    if (distance <= maxDistance) score += Math.min(a.idf, b.idf) / Math.max(distance, 1);
  }
  return score;
}

function minimumDistance(a: number[], b: number[]): number {
  let best = Infinity;
  for (const x of a) for (const y of b) best = Math.min(best, Math.abs(x - y));
  return best;
}

// Sliding window over the passage's occurrences of question terms, counting
// each distinct term once.
function bestWindow(events: { position: number; term: QueryTerm }[], width: number): number {
  events.sort((a, b) => a.position - b.position);
  const inWindow = new Map<QueryTerm, number>();
  let sum = 0;
  let best = 0;
  let start = 0;
  for (const event of events) {
    const count = inWindow.get(event.term) ?? 0;
    inWindow.set(event.term, count + 1);
    if (count === 0) sum += event.term.idf;
    while (event.position - events[start]!.position >= width) {
      const leaving = events[start++]!.term;
      const left = inWindow.get(leaving)! - 1;
      inWindow.set(leaving, left);
      if (left === 0) sum -= leaving.idf;
    }
    best = Math.max(best, sum);
  }
  return best;
}
