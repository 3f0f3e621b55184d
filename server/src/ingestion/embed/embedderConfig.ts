// What the application configuration chooses; createEmbedder turns it into an
// Embedder. Optional fields have defaults that suit OpenAI's hosted API.

export interface LocalEmbedderConfig {
  kind: 'local';
  /** Default 384. */
  dimension?: number;
}

export interface OpenAiEmbedderConfig {
  kind: 'openai';
  /** Base URL including the version segment, e.g. https://api.openai.com/v1 or http://ollama:11434/v1. */
  baseUrl: string;
  apiKey: string;
  model: string;
  dimension: number;
  /** Texts per request. Default 64. */
  batchSize?: number;
  /** Characters per request, summed over its texts. Default 200,000 (about 50k tokens). */
  maxBatchChars?: number;
  /** Retries after the first attempt, for 429, 5xx and network failures. Default 5. */
  maxRetries?: number;
  /** Per-request time limit. Default 60 s. */
  timeoutMs?: number;
  /**
   * Send `dimensions` with each request. Only models that can shorten their
   * vectors accept it (OpenAI's text-embedding-3-*); others reject the field.
   * Default: true for text-embedding-3 models, false otherwise.
   */
  sendDimensions?: boolean;
  /** Wire format asked for. base64 is about a third the size of JSON floats. Default base64. */
  encodingFormat?: 'base64' | 'float';
  /** Backoff between retries when the provider gives no Retry-After. Default 500 ms doubling up to 20 s. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Requests in flight at once when a call spans several batches. Default 4. */
  concurrency?: number;
  /** Prepended to queries; default: what the model's card prescribes (nomic, e5, bge ...), else none. '' for none. */
  queryPrefix?: string;
  /** Prepended to documents (chunks); default as for queryPrefix. */
  documentPrefix?: string;
}

export type EmbedderConfig = LocalEmbedderConfig | OpenAiEmbedderConfig;

/** Where an embedder reports retries; structured, never with keys or document text. */
export interface EmbedderLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface EmbedderDependencies {
  logger?: EmbedderLogger;
}
