// 32-bit FNV-1a with a murmur3 finaliser. FNV is cheap enough to run over every
// character n-gram without building substrings; the finaliser spreads its weak
// low bits before they pick a bucket and a sign.

const fnvPrime = 0x01000193;
// Bound once: a global lookup per character is measurably slow where globals
// sit behind a proxy (vm contexts such as the test runner's).
const imul = Math.imul;

/** Separate seeds keep a word, a word pair and a character n-gram that happen to spell the same apart. */
export const featureSeeds = {
  word: 0x811c9dc5,
  wordPair: 0x2f6b1a3d,
  characterGram: 0x5bd1e995,
} as const;

export function hashCharCode(hash: number, charCode: number): number {
  return imul(hash ^ charCode, fnvPrime) >>> 0;
}

export function hashString(text: string, seed: number): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) hash = hashCharCode(hash, text.charCodeAt(i));
  return hash;
}

export function finalise(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Adds `weight` to the bucket a feature hashes to, with a sign drawn from
 * other bits: colliding features then cancel out on average instead of
 * always inflating each other (Weinberger et al., "Feature hashing").
 */
export function addHashedFeature(vector: Float64Array, featureHash: number, weight: number): void {
  const mixed = finalise(featureHash);
  const bucket = mixed % vector.length;
  const negative = (finalise(mixed ^ 0x9e3779b9) & 1) === 1;
  vector[bucket] = (vector[bucket] ?? 0) + (negative ? -weight : weight);
}
