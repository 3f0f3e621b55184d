import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError } from '../../errors/appError.js';
import type { Logger } from '../../lib/logger.js';

// body-parser reports its failures with a `type`; each becomes one of our codes.
const bodyParserErrors: Record<string, () => AppError> = {
  'entity.parse.failed': () => new AppError('bad_request', 'Request body is not valid JSON'),
  'entity.too.large': () => new AppError('payload_too_large', 'Request body is too large'),
  'encoding.unsupported': () => new AppError('unsupported_media_type', 'Unsupported request body encoding'),
  'charset.unsupported': () => new AppError('unsupported_media_type', 'Unsupported request body charset'),
  'request.aborted': () => new AppError('bad_request', 'Request was aborted'),
};

function toAppError(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  const e = error as { type?: string; code?: string; status?: number };
  if (e?.type && bodyParserErrors[e.type]) return bodyParserErrors[e.type]!();
  // Prisma's known request errors that a client can cause.
  if (e?.code === 'P2002') return new AppError('conflict', 'A record with these values already exists');
  if (e?.code === 'P2025') return new AppError('not_found', 'Record not found');
  if (e?.code === 'P2003') return new AppError('conflict', 'A related record does not exist or is still in use');
  return undefined;
}

/** Our one error body; other protocols (the OpenAI-compatible API) pass their own. */
export const errorBody = (e: AppError) => ({ error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } });

export function errorHandler(logger: Logger, body: (error: AppError) => unknown = errorBody): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = toAppError(error);
    if (!known) logger.error({ err: error, reqId: req.id }, 'unhandled error');
    const appError = known ?? new AppError('internal', 'Something went wrong on our side; it has been logged');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError.headers) res.set(appError.headers);
    const retryAfter = quotaRetryAfter(appError);
    if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
    res.status(appError.status).json(body(appError));
  };
}

/** Seconds until an exhausted quota resets (details.resetsAt), for the Retry-After header. */
function quotaRetryAfter(error: AppError): number | undefined {
  if (error.code !== 'quota_exceeded') return undefined;
  const resetsAt = Date.parse(String((error.details as { resetsAt?: unknown } | undefined)?.resetsAt));
  return Number.isNaN(resetsAt) ? undefined : Math.max(1, Math.ceil((resetsAt - Date.now()) / 1000));
}

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}`));
};
