import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { Embedder, EmbeddingKind, SupportedDimension } from '../embedder.js';
import type { EmbedderLogger, OpenAiEmbedderConfig } from '../embedderConfig.js';
import { EmbeddingError, type EmbeddingErrorCode } from '../embeddingError.js';
import { decodeEmbeddingResponse } from './embeddingResponse.js';
import { httpFetch } from '../../../lib/httpFetch.js';
import { mapConcurrent } from '../../../lib/mapConcurrent.js';
import { embedderName, type EmbeddingPrefixes } from './embeddingPrefixes.js';
import { planBatches, type BatchLimits } from './requestBatches.js';
import { backoffDelayMs, retryAfterMs, sleep, type BackoffOptions } from './retryTiming.js';

// Any OpenAI-compatible /embeddings endpoint (OpenAI, Azure-style proxies,
// Ollama, vLLM, LocalAI ...) through the official SDK. Batches go out a few at
// a time (`concurrency`); retries and their timing are ours rather than the
// SDK's so that the policy (429 and 5xx only, Retry-After first) and the final
// error are the same whatever the provider. Models trained with instructions
// (nomic, e5, bge ...) get their query or document prefix on every input.

export interface OpenAiEmbedderSettings {
  dimension: SupportedDimension;
  limits: BatchLimits;
  maxRetries: number;
  timeoutMs: number;
  sendDimensions: boolean;
  encodingFormat: 'base64' | 'float';
  backoff: BackoffOptions;
  /** Batches in flight at once. */
  concurrency: number;
  /** Prepended to each input of that kind ('' for none). */
  prefixes: EmbeddingPrefixes;
}

interface RequestFailure {
  code: EmbeddingErrorCode;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  detail: string;
  /** Kept for diagnosis; never the SDK's APIError, whose message may quote what the provider echoed. */
  cause?: unknown;
}

export class OpenAiEmbedder implements Embedder {
  readonly name: string;
  readonly dimension: SupportedDimension;
  private readonly client: OpenAI;

  constructor(
    private readonly config: Pick<OpenAiEmbedderConfig, 'baseUrl' | 'apiKey' | 'model'>,
    private readonly settings: OpenAiEmbedderSettings,
    private readonly logger?: EmbedderLogger,
  ) {
    this.name = embedderName(config.model, settings.prefixes);
    this.dimension = settings.dimension;
    this.client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: settings.timeoutMs, fetch: httpFetch });
  }

  async embed(texts: string[], kind: EmbeddingKind, signal?: AbortSignal): Promise<number[][]> {
    const prefix = this.settings.prefixes[kind];
    const inputs = prefix ? texts.map((text) => prefix + text) : texts;
    // One failed batch cancels the others still in flight: the whole call fails anyway.
    const cancel = new AbortController();
    const linked = signal ? AbortSignal.any([signal, cancel.signal]) : cancel.signal;
    const batches = await mapConcurrent(planBatches(inputs, this.settings.limits), this.settings.concurrency, (batch) =>
      this.embedBatch(inputs.slice(batch.start, batch.end), linked).catch((error: unknown) => {
        cancel.abort();
        throw error;
      }),
    );
    return batches.flat();
  }

  private async embedBatch(batch: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      let response: unknown;
      try {
        response = await this.client.embeddings.create(
          {
            model: this.config.model,
            input: batch,
            encoding_format: this.settings.encodingFormat,
            ...(this.settings.sendDimensions ? { dimensions: this.dimension } : {}),
          },
          { signal },
        );
      } catch (error) {
        const failure = this.describeFailure(error, signal);
        if (!failure.retryable || attempt >= this.settings.maxRetries) throw finalError(failure, attempt + 1);
        const delayMs = failure.retryAfterMs ?? backoffDelayMs(attempt, this.settings.backoff);
        this.logger?.warn({ embedder: this.name, attempt: attempt + 1, status: failure.status, code: failure.code, delayMs: Math.round(delayMs) }, 'embedding request failed; retrying');
        await sleep(delayMs, signal).catch((reason: unknown) => {
          throw new EmbeddingError('aborted', 'Embedding was cancelled', { cause: reason });
        });
        continue;
      }
      return decodeEmbeddingResponse(response, batch.length, this.dimension);
    }
  }

  private describeFailure(error: unknown, signal: AbortSignal | undefined): RequestFailure {
    if (error instanceof APIUserAbortError || signal?.aborted) return { code: 'aborted', retryable: false, detail: 'cancelled' };
    // Timeouts are a subclass of connection errors: both are worth another try.
    if (error instanceof APIConnectionError) return { code: 'upstream', retryable: true, detail: this.redact(error.message), cause: error.cause };
    if (error instanceof APIError && error.status !== undefined) {
      const status = error.status;
      const detail = this.providerDetail(error.message);
      if (status === 429) return { code: 'rate_limited', retryable: true, status, retryAfterMs: retryAfterMs(error.headers), detail };
      if (status >= 500) return { code: 'upstream', retryable: true, status, retryAfterMs: retryAfterMs(error.headers), detail };
      return { code: 'rejected', retryable: false, status, detail };
    }
    // The SDK reports an unreadable body (cut-off JSON) as the parser's error,
    // which may come from another realm than ours: compare by name.
    if (isSyntaxError(error)) return { code: 'bad_response', retryable: false, detail: error.message, cause: error };
    throw error;
  }

  // Some providers echo what they were sent; the key must not reach logs or file rows.
  private redact(text: string): string {
    return this.config.apiKey.length >= 4 ? text.split(this.config.apiKey).join('[redacted]') : text;
  }

  // The SDK prefixes the status ("400 ...") that our message already states; a
  // provider's HTML error page should not end up whole in a file row either.
  private providerDetail(message: string): string {
    const detail = this.redact(message.replace(/^\d{3}\s+/, ''));
    return detail.length > 300 ? `${detail.slice(0, 300)}…` : detail;
  }
}

function finalError(failure: RequestFailure, attempts: number): EmbeddingError {
  const status = failure.status === undefined ? '' : ` (HTTP ${failure.status})`;
  const tries = attempts === 1 ? '' : ` after ${attempts} attempts`;
  let message: string;
  switch (failure.code) {
    case 'rate_limited':
      message = `The embedding provider kept rate-limiting requests${status}${tries}`;
      break;
    case 'upstream':
      message = `The embedding provider failed${status}${tries}: ${failure.detail}`;
      break;
    case 'rejected':
      message = `The embedding provider rejected the request${status}: ${failure.detail}`;
      break;
    case 'bad_response':
      message = `The embedding provider sent an unreadable answer: ${failure.detail}`;
      break;
    case 'aborted':
      message = 'Embedding was cancelled';
      break;
    default:
      message = failure.detail;
  }
  return new EmbeddingError(failure.code, message, { cause: failure.cause, status: failure.status });
}

function isSyntaxError(error: unknown): error is SyntaxError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SyntaxError';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EmbeddingError('aborted', 'Embedding was cancelled', { cause: signal.reason });
}
