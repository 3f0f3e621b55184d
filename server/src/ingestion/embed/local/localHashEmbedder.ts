import type { Embedder, EmbeddingKind, SupportedDimension } from '../embedder.js';
import { EmbeddingError } from '../embeddingError.js';
import { normaliseInPlace } from '../vectorMath.js';
import { commonEnglishWords } from './commonWords.js';
import { addHashedFeature, featureSeeds, hashCharCode, hashString } from './featureHashing.js';
import { porterStem } from './porterStemmer.js';
import { englishStopWords } from './stopWords.js';
import { isAsciiWord, tokenize } from './textTokens.js';

// The offline default: a deterministic bag of words, word pairs and character
// n-grams hashed into a fixed number of buckets. No model file, no network, the
// same vector on every machine. Any change to what it computes must come with
// a new name (local-hash-v2 ...): the pipeline re-indexes when the name changes
// and would otherwise compare old and new vectors.

export const localHashEmbedderName = 'local-hash-v1';

// Relative weights of the feature families, chosen on the SQuAD subset in
// tests/fixtures/qa (paragraph retrieval at 384 dimensions). Very common
// content words count less, a rough stand-in for the IDF a stateless model
// cannot compute. Word pairs help little there because they compete for the
// same few buckets; they stay at a low weight for phrase-like queries.
// Character n-grams catch inflections and spellings the stemmer misses, but
// drown the words if weighted higher.
const weights = {
  word: 1,
  commonWord: 0.4,
  stopWord: 0.1,
  wordPair: 0.1,
  characterGram: 0.2,
};
const characterGramSizes = { min: 3, max: 5 };
// N-grams of short words are shared by too many unrelated words to help.
const minCharacterGramWordLength = 4;
// Embedding is synchronous CPU work; handing the event loop back between slices
// keeps an API process that also runs ingestion jobs responsive.
const textsPerSlice = 32;

export class LocalHashEmbedder implements Embedder {
  readonly name = localHashEmbedderName;

  constructor(readonly dimension: SupportedDimension = 384) {}

  async embed(texts: string[], _kind: EmbeddingKind, signal?: AbortSignal): Promise<number[][]> {
    // Queries and passages go through the same features: the model is symmetric.
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += textsPerSlice) {
      if (start > 0) await yieldToEventLoop();
      throwIfAborted(signal);
      for (const text of texts.slice(start, start + textsPerSlice)) vectors.push(this.embedOne(text));
    }
    return vectors;
  }

  embedOne(text: string): number[] {
    const words = new Map<number, number>();
    const commonWords = new Map<number, number>();
    const stopWords = new Map<number, number>();
    const wordPairs = new Map<number, number>();
    const characterGrams = new Map<number, number>();

    let previousStem: string | undefined;
    for (const token of tokenize(text)) {
      if (isStopWord(token)) {
        count(stopWords, hashString(token, featureSeeds.word));
        continue;
      }
      const stem = stemOf(token);
      count(commonEnglishWords.has(token) ? commonWords : words, hashString(stem, featureSeeds.word));
      // Pairs skip the function words between them: "University of Warsaw" pairs "univers warsaw".
      if (previousStem !== undefined) count(wordPairs, hashString(stem, hashCharCode(hashString(previousStem, featureSeeds.wordPair), 32)));
      previousStem = stem;
      if (token.length >= minCharacterGramWordLength) countCharacterGrams(token, characterGrams);
    }

    const vector = new Float64Array(this.dimension);
    addFeatures(vector, words, weights.word);
    addFeatures(vector, commonWords, weights.commonWord);
    addFeatures(vector, stopWords, weights.stopWord);
    addFeatures(vector, wordPairs, weights.wordPair);
    addFeatures(vector, characterGrams, weights.characterGram);

    // Empty or punctuation-only text still gets a unit vector: pgvector's cosine
    // distance is undefined for a zero vector and would poison the ranking.
    if (!normaliseInPlace(vector)) vector[0] = 1;
    return Array.from(vector);
  }
}

function isStopWord(token: string): boolean {
  // A lone letter left by punctuation ("U.S." -> "u", "s") says nothing on its own.
  return englishStopWords.has(token) || (token.length === 1 && token >= 'a' && token <= 'z');
}

// Stemming is the costliest step per word and text repeats words a lot, so
// results are remembered; the cache is dropped whole when it grows large.
const stemCache = new Map<string, string>();
const stemCacheLimit = 50_000;

function stemOf(token: string): string {
  if (!isAsciiWord(token)) return token;
  let stem = stemCache.get(token);
  if (stem === undefined) {
    if (stemCache.size >= stemCacheLimit) stemCache.clear();
    stem = porterStem(token);
    stemCache.set(token, stem);
  }
  return stem;
}

function count(counts: Map<number, number>, featureHash: number): void {
  counts.set(featureHash, (counts.get(featureHash) ?? 0) + 1);
}

// Character n-grams of the word wrapped in boundary marks ("<warsaw>"), so
// prefixes and suffixes are features of their own. Hashed incrementally from
// the characters: no substring is built.
function countCharacterGrams(word: string, counts: Map<number, number>): void {
  const marked = `<${word}>`;
  for (let start = 0; start + characterGramSizes.min <= marked.length; start++) {
    let hash: number = featureSeeds.characterGram;
    for (let length = 1; length <= characterGramSizes.max && start + length <= marked.length; length++) {
      hash = hashCharCode(hash, marked.charCodeAt(start + length - 1));
      if (length >= characterGramSizes.min) count(counts, hash);
    }
  }
}

const log = Math.log;

// Sublinear term frequency: the tenth "oxygen" in a passage says less than the first.
function addFeatures(vector: Float64Array, counts: Map<number, number>, weight: number): void {
  for (const [featureHash, occurrences] of counts) addHashedFeature(vector, featureHash, weight * (1 + log(occurrences)));
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EmbeddingError('aborted', 'Embedding was cancelled', { cause: signal.reason });
}
