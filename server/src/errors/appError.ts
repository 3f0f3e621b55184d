// One error type for everything the API reports on purpose; the error handler
// maps it to HTTP once, by code, never by message text.
export const errorStatus = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  token_expired: 401,
  forbidden: 403,
  password_change_required: 403,
  /** Self-registration: the policy is invite-only, the e-mail's domain is not listed, the account awaits verification or approval. */
  registration_closed: 403,
  email_domain_not_allowed: 403,
  account_pending: 403,
  verification_invalid: 400,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  account_locked: 429,
  quota_exceeded: 429,
  internal: 500,
  not_ready: 503,
  /** A feature needs configuration the operator has not given (e.g. MASTER_KEY). */
  not_configured: 503,
  upstream_failed: 502,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorStatus[code];
  }

  static notFound(what: string): AppError {
    return new AppError('not_found', `${what} not found`);
  }

  static forbidden(message = 'You are not allowed to do this'): AppError {
    return new AppError('forbidden', message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
