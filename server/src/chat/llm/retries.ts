import { ProviderError, type ChatStreamEvent } from './chatProvider.js';

export interface RetryOptions {
  /** Further attempts after the first. */
  retries: number;
  signal: AbortSignal;
  /** First wait; doubled each time unless the provider said how long. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (error: ProviderError, attempt: number, waitMs: number) => void;
}

/**
 * Streams with retries where they are safe: a retryable failure (429, 5xx,
 * timeout, refused connection) before the first token reached anyone is
 * tried again after a backoff; once a token is out, a retry would repeat
 * text, so the failure stands.
 */
export async function* streamWithRetries(open: () => AsyncIterable<ChatStreamEvent>, options: RetryOptions): AsyncGenerator<ChatStreamEvent> {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 8000;
  for (let attempt = 0; ; attempt++) {
    let delivered = false;
    try {
      for await (const event of open()) {
        delivered = true;
        yield event;
      }
      return;
    } catch (error) {
      const failure = error instanceof ProviderError ? error : new ProviderError('unavailable', (error as Error).message, { cause: error });
      if (delivered || !failure.retryable || attempt >= options.retries || options.signal.aborted) throw failure;
      const waitMs = Math.min(max, failure.details.retryAfterMs ?? base * 2 ** attempt);
      options.onRetry?.(failure, attempt + 1, waitMs);
      await sleep(waitMs, options.signal);
      if (options.signal.aborted) throw new ProviderError('cancelled', 'The request was cancelled');
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
