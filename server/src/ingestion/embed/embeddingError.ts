// Every way an embedding call can fail, as a stable code the pipeline stores as
// the file's failure reason. Messages never carry the API key or document text.
export const embeddingErrorCodes = [
  'rate_limited', // the provider kept answering 429 until we ran out of retries
  'upstream', // 5xx or a network failure that outlived the retries
  'rejected', // the provider refused the request (bad key, unknown model, input too long): retrying cannot help
  'bad_response', // the answer was not a list of finite vectors, one per input
  'dimension_mismatch', // vectors came back with another size than configured
  'aborted', // the caller cancelled through its AbortSignal
  'invalid_config', // the embedder was configured with values it cannot work with
] as const;

export type EmbeddingErrorCode = (typeof embeddingErrorCodes)[number];

export class EmbeddingError extends Error {
  /** HTTP status of the last provider answer, when there was one. */
  readonly status: number | undefined;

  constructor(
    readonly code: EmbeddingErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EmbeddingError';
    this.status = options?.status;
  }
}

export function isEmbeddingError(error: unknown): error is EmbeddingError {
  return error instanceof EmbeddingError;
}
