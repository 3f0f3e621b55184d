import type { ErrorInfo } from './types.js';

/** A refused request, REST or socket, with the API's stable error code. */
export class ApiError extends Error implements ErrorInfo {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, from a 429's Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static from(info: ErrorInfo, status = 0): ApiError {
    return new ApiError(status, info.code, info.message, info.details);
  }
}

/** Network failures (fetch TypeError, socket not connected) get their own code so the UI can say so. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') return new ApiError(0, 'aborted', 'Cancelled');
  return new ApiError(0, 'network', error instanceof Error ? error.message : 'Network error');
}
