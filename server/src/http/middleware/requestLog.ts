import type { Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { Logger } from '../../lib/logger.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id, also sent back as X-Request-Id and written on its log line. */
    id: string;
  }
}

type Level = 'info' | 'warn' | 'error';

export interface RequestLogOptions {
  /** Requests that log no line when they succeed (health checks, scrapes). */
  ignore: (req: Request) => boolean;
}

const REQUEST_ID = /^[\w.-]{1,128}$/;
const { req: serializeRequest, res: serializeResponse, err: serializeError } = pino.stdSerializers;

/**
 * One line per request when it ends, the line pino-http writes ("request
 * completed", "request aborted", "request errored" with `req`, `res`,
 * `responseTime`), and the request id (the caller's X-Request-Id when it is
 * sane, else a new one) on `req.id` and the response.
 *
 * pino-http makes a child logger with the serialised request at the start of
 * every request, even when its level keeps the line from being written; that
 * was a measurable share of a cached read's CPU. Here the request's view is
 * taken at the start (the same fields, so the line shows the request as it
 * arrived) and serialised only when a line is written.
 */
export function requestLog(logger: Logger, options: RequestLogOptions): RequestHandler {
  const log = logger.child({}, { serializers: { req: (view: unknown) => view, res: serializeResponse, err: serializeError } });
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    const started = Date.now();
    const view = serializeRequest(req);
    const logged = !options.ignore(req);
    const complete = (err?: Error) => {
      res.off('close', complete);
      res.off('finish', complete);
      res.off('error', complete);
      write(log, req, res, view, Date.now() - started, err);
    };
    if (logged) {
      res.on('close', complete);
      res.on('finish', complete);
    }
    res.on('error', complete);
    next();
  };
}

function write(log: Logger, req: Request, res: Response, view: unknown, responseTime: number, err: Error | undefined): void {
  const level: Level = err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
  if (!log.isLevelEnabled(level)) return;
  const failed = err ?? (res as { err?: Error }).err;
  if (failed || res.statusCode >= 500) {
    log[level]({ req: view, res, err: failed ?? new Error(`failed with status code ${res.statusCode}`), responseTime }, 'request errored');
    return;
  }
  log[level]({ req: view, res, responseTime }, !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted');
}
