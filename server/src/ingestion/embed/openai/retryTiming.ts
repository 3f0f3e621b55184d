// When to try again after a failed request: what the provider asked for in
// Retry-After, otherwise exponential backoff with jitter so that many workers
// hit by the same outage do not come back in lockstep.

export interface BackoffOptions {
  /** Delay before the first retry, doubled for each further one. */
  baseMs: number;
  /** Ceiling of the exponential part. */
  maxMs: number;
}

// A Retry-After asking for more than this is clamped: a job should not sleep
// for an hour on a provider's say-so while holding its lease.
export const maxRetryAfterMs = 60_000;

/** `attempt` counts from 0 for the first retry. Half fixed, half random ("equal jitter"). */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Reads the provider's wish from the response headers: `retry-after-ms`
 * (OpenAI, Azure) or `retry-after` in seconds or as an HTTP date (RFC 9110).
 * Returns undefined when there is none or it cannot be read.
 */
export function retryAfterMs(headers: Headers | undefined, now: () => number = Date.now): number | undefined {
  if (!headers) return undefined;
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.min(milliseconds, maxRetryAfterMs);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Number.parseFloat(value) * 1000, maxRetryAfterMs);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now()), maxRetryAfterMs);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
