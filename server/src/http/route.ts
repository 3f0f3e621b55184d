import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../errors/appError.js';
import type { TokenScope } from '../integrations/tokens/tokenPolicy.js';
import type { Actor } from '../policies/actor.js';
import { ErrorResponse } from './schemas/common.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Schema = z.ZodType;
type Infer<S> = S extends Schema ? z.infer<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Present on every route that is not `public`. */
  actor: Actor;
  req: Request;
  res: Response;
}

/** What a handler returns: a status and JSON body, or nothing when it wrote the response itself. */
export type RouteResult = { status?: number; body?: unknown; headers?: Record<string, string> } | void;

export interface RouteSpec<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  method: Method;
  /** Express-style path relative to the router, e.g. `/users/:id`. */
  path: string;
  summary: string;
  tags: string[];
  /** `public` routes skip authentication; `any` lets a user with a temporary password through. */
  access?: 'public' | 'authenticated' | 'any-password-state';
  /** The personal-access-token scope that opens this route; without one, tokens are refused (admin routes never take one). */
  tokenScope?: TokenScope;
  params?: P;
  query?: Q;
  body?: B;
  /** Documents a multipart upload (the handler reads it itself). */
  multipart?: { field: string };
  responses: Record<number, { description: string; schema?: Schema; contentType?: string }>;
  handler: (input: RouteInput<Infer<P>, Infer<Q>, Infer<B>>) => Promise<RouteResult>;
}

export type Authenticator = (req: Request, allowPasswordChange: boolean, tokenScope?: TokenScope) => Promise<Actor>;

/**
 * Builds an Express router whose routes validate their input with zod and
 * describe themselves in the OpenAPI registry from the same schemas, so the
 * document can never drift from what the API enforces.
 */
export class RouteBuilder {
  readonly router = express.Router();
  private defaultTokenScope?: TokenScope;

  constructor(
    private readonly registry: OpenAPIRegistry,
    private readonly basePath: string,
    private readonly authenticate: Authenticator,
  ) {}

  add<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
    spec: RouteSpec<P, Q, B>,
  ): this {
    const tokenScope = spec.tokenScope ?? this.defaultTokenScope;
    this.registry.registerPath(this.describe({ ...(spec as unknown as RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>), tokenScope }));
    const access = spec.access ?? 'authenticated';
    const template = this.basePath + spec.path;
    this.router[spec.method](spec.path, async (req, res) => {
      res.locals.routeTemplate = template;
      const actor = access === 'public' ? (undefined as unknown as Actor) : await this.authenticate(req, access === 'any-password-state', tokenScope);
      const input = {
        params: parse(spec.params, req.params, 'path parameters'),
        query: parse(spec.query, req.query, 'query'),
        body: parse(spec.body, req.body, 'body'),
        actor,
        req,
        res,
      } as RouteInput<Infer<P>, Infer<Q>, Infer<B>>;
      const result = await spec.handler(input);
      if (!result || res.headersSent) return;
      if (result.headers) res.set(result.headers);
      if (result.body === undefined) res.status(result.status ?? 204).end();
      else res.status(result.status ?? 200).json(result.body);
    });
    return this;
  }

  /** The same builder, whose routes also open to personal access tokens holding `scope` (unless a route says otherwise). */
  forTokens(scope: TokenScope): RouteBuilder {
    const view = Object.create(this) as RouteBuilder;
    view.defaultTokenScope = scope;
    return view;
  }

  private describe(spec: RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>): RouteConfig {
    const responses: RouteConfig['responses'] = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      responses[status] = r.schema
        ? { description: r.description, content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }
        : { description: r.description };
    }
    responses.default = { description: 'Error', content: { 'application/json': { schema: ErrorResponse } } };
    return {
      method: spec.method,
      path: this.basePath + spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      tags: spec.tags,
      security: spec.access === 'public' ? [] : [{ bearerAuth: [] }, ...(spec.tokenScope ? [{ personalAccessToken: [spec.tokenScope] }] : [])],
      request: {
        params: spec.params as never,
        query: spec.query as never,
        body: spec.body
          ? { content: { 'application/json': { schema: spec.body } }, required: true }
          : spec.multipart
            ? {
                required: true,
                content: {
                  'multipart/form-data': {
                    schema: z.object({ [spec.multipart.field]: z.array(z.string().meta({ format: 'binary' })) }),
                  },
                },
              }
            : undefined,
      },
      responses,
    };
  }
}

function parse(schema: Schema | undefined, value: unknown, where: string): unknown {
  return schema ? parseOrFail(schema, value, where) : undefined;
}

/** Validates with zod; a failure is the one `validation_failed` error, with every issue's path. */
export function parseOrFail<S extends Schema>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new AppError('validation_failed', `Invalid ${where}`, {
    issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code })),
  });
}
