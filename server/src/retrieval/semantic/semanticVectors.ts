// Vectors of a passage as stored: the passage as a whole and each of its
// sentences, quantised to int8 (512 bytes a vector instead of 2 KiB; on the
// SQuAD subset the ranking is unchanged). Cosine similarity is scale-free, so
// each vector keeps only its direction.

export interface PassageVectors {
  passage: Int8Array;
  sentences: Int8Array[];
}

/** Sentences of a passage: split after . ! ? before a capital, digit or quote; short fragments joined to the previous one. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const piece of text.split(/(?<=[.!?])\s+(?=["“'(\p{Lu}\p{N}])/u)) {
    const trimmed = piece.trim();
    if (!trimmed) continue;
    if (sentences.length > 0 && trimmed.length < 20) sentences[sentences.length - 1] += ` ${trimmed}`;
    else sentences.push(trimmed);
  }
  return sentences.length > 0 ? sentences : [text.trim()];
}

export function quantise(vector: Float32Array): Int8Array {
  let largest = 0;
  for (const x of vector) largest = Math.max(largest, Math.abs(x));
  const scale = largest > 0 ? 127 / largest : 0;
  return Int8Array.from(vector, (x) => Math.round(x * scale));
}

/** Cosine similarity of a query vector and a stored one. */
export function cosine(query: Float32Array, stored: Int8Array): number {
  let dot = 0;
  let queryNorm = 0;
  let storedNorm = 0;
  for (let i = 0; i < query.length; i += 1) {
    const q = query[i]!;
    const s = stored[i] ?? 0;
    dot += q * s;
    queryNorm += q * q;
    storedNorm += s * s;
  }
  return queryNorm > 0 && storedNorm > 0 ? dot / Math.sqrt(queryNorm * storedNorm) : 0;
}

/** The passage vector, then its sentence vectors, end to end. */
export function packVectors(vectors: PassageVectors): Uint8Array<ArrayBuffer> {
  const all = [vectors.passage, ...vectors.sentences];
  const bytes = new Uint8Array(all.reduce((n, v) => n + v.length, 0));
  let offset = 0;
  for (const v of all) {
    bytes.set(new Uint8Array(v.buffer, v.byteOffset, v.length), offset);
    offset += v.length;
  }
  return bytes;
}

export function unpackVectors(bytes: Uint8Array, dimension: number): PassageVectors {
  const count = Math.floor(bytes.length / dimension);
  const vectors = Array.from({ length: count }, (_, i) => new Int8Array(bytes.buffer, bytes.byteOffset + i * dimension, dimension));
  return { passage: vectors[0] ?? new Int8Array(dimension), sentences: vectors.slice(1) };
}
