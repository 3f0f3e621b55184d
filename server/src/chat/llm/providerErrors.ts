import { ProviderError, type ProviderFailure } from './chatProvider.js';

/** The shape both official SDKs give their HTTP errors. */
interface SdkApiError {
  status?: number;
  headers?: Headers | Record<string, string> | null;
  message: string;
}

const header = (headers: SdkApiError['headers'], name: string): string | null =>
  headers instanceof Headers ? headers.get(name) : (headers?.[name] ?? null);

/** How long a 429 asked us to wait, from retry-after-ms or retry-after (seconds or a date). */
export function retryAfterMs(headers: SdkApiError['headers']): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = header(headers, 'retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function failureForStatus(status: number): ProviderFailure {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'unavailable';
  return 'rejected';
}

/**
 * Maps an SDK error to a ProviderError. The SDKs' own classes tell aborts and
 * connection failures apart; `sdk` names them so this works for either SDK.
 */
export function toProviderError(
  error: unknown,
  sdk: { APIError: abstract new (...args: never[]) => unknown; APIUserAbortError: abstract new (...args: never[]) => unknown; APIConnectionTimeoutError: abstract new (...args: never[]) => unknown; APIConnectionError: abstract new (...args: never[]) => unknown },
  providerName: string,
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof sdk.APIUserAbortError) return new ProviderError('cancelled', 'The request was cancelled');
  if (error instanceof sdk.APIConnectionTimeoutError) return new ProviderError('timeout', `${providerName} did not answer in time`, { cause: error });
  if (error instanceof sdk.APIConnectionError) return new ProviderError('unavailable', `Could not reach ${providerName}`, { cause: error });
  if (error instanceof sdk.APIError) {
    const e = error as unknown as SdkApiError;
    if (e.status === undefined) return new ProviderError('unavailable', `${providerName} failed: ${e.message}`, { cause: error });
    return new ProviderError(failureForStatus(e.status), `${providerName} answered ${e.status}: ${e.message}`, {
      status: e.status,
      retryAfterMs: retryAfterMs(e.headers),
      cause: error,
    });
  }
  // Stream bodies cut mid-way surface as plain fetch errors (TypeError: terminated).
  return new ProviderError('unavailable', `${providerName} stream failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
