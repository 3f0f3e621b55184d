// The contract every embedder keeps, whatever produces the numbers. The pipeline
// stores `name` and `dimension` with each chunk and re-indexes when either
// changes, so vectors from two different models are never compared.

/** The vector sizes the database has an HNSW index for. */
export const supportedDimensions = [256, 384, 512, 768, 1024, 1536] as const;
export type SupportedDimension = (typeof supportedDimensions)[number];

/** Some models embed questions and passages differently; symmetric ones ignore it. */
export type EmbeddingKind = 'document' | 'query';

export interface Embedder {
  /** Stable id stored with every chunk, e.g. 'local-hash-v1' or 'openai:text-embedding-3-small'. */
  readonly name: string;
  readonly dimension: SupportedDimension;
  /** One L2-normalised vector per text, in input order. */
  embed(texts: string[], kind: EmbeddingKind, signal?: AbortSignal): Promise<number[][]>;
}

export function isSupportedDimension(value: number): value is SupportedDimension {
  return (supportedDimensions as readonly number[]).includes(value);
}
