import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { bearerToken } from '../../../auth/authenticate.js';
import { resourceTypes, schemas, serviceProviderConfig } from '../../../identity/scim/discovery.js';
import type { ScimContext } from '../../../identity/scim/scimContext.js';
import { ScimError } from '../../../identity/scim/scimErrors.js';
import { listResponse } from '../../../identity/scim/scimFilter.js';
import { createScimGroup, deleteScimGroup, getScimGroup, listScimGroups, patchScimGroup, replaceScimGroup } from '../../../identity/scim/scimGroups.js';
import { createScimUser, deleteScimUser, getScimUser, listScimUsers, patchScimUser, replaceScimUser } from '../../../identity/scim/scimUsers.js';
import { requestMeta, type Services } from '../../../services.js';
import { publicOrigin } from '../identity/oidc.router.js';

export const SCIM_BASE = '/api/scim/v2';
const SCIM_JSON = 'application/scim+json';

type Handler = (ctx: ScimContext, req: Request) => Promise<{ status?: number; body?: unknown }>;

/**
 * SCIM 2.0 (RFC 7643/7644) for provisioning clients such as Entra ID and
 * Okta. It has its own bearer tokens, media type and error shape, so it is a
 * router of its own rather than routes of /api/v1.
 */
export function scimRouter(s: Services): Router {
  const router = express.Router();
  router.use(express.json({ type: ['application/json', SCIM_JSON], limit: '1mb' }));

  const route = (handler: Handler) => async (req: Request, res: Response) => {
    const token = await s.scimTokens.verify(bearerToken(req));
    if (!token) throw new ScimError(401, 'A valid SCIM bearer token is required');
    const ctx: ScimContext = { s, token, meta: requestMeta(req), baseUrl: publicOrigin(s, req) + SCIM_BASE };
    const { status = 200, body } = await handler(ctx, req);
    res.status(status).type(SCIM_JSON);
    if (body === undefined) res.end();
    else res.send(JSON.stringify(body));
  };
  const body = (req: Request) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new ScimError(400, 'The body must be a JSON object', 'invalidSyntax');
    return req.body as Record<string, unknown>;
  };
  const id = (req: Request) => String(req.params.id);
  const query = (req: Request) => req.query as Record<string, unknown>;

  router.get('/ServiceProviderConfig', route(async (ctx) => ({ body: serviceProviderConfig(ctx.baseUrl) })));
  router.get('/ResourceTypes', route(async (ctx) => ({ body: listResponse(resourceTypes(ctx.baseUrl), 2, 1) })));
  router.get('/Schemas', route(async () => ({ body: listResponse(schemas, schemas.length, 1) })));

  router.get('/Users', route(async (ctx, req) => ({ body: await listScimUsers(ctx, query(req)) })));
  router.post('/Users', route(async (ctx, req) => ({ status: 201, body: await createScimUser(ctx, body(req)) })));
  router.get('/Users/:id', route(async (ctx, req) => ({ body: await getScimUser(ctx, id(req)) })));
  router.put('/Users/:id', route(async (ctx, req) => ({ body: await replaceScimUser(ctx, id(req), body(req)) })));
  router.patch('/Users/:id', route(async (ctx, req) => ({ body: await patchScimUser(ctx, id(req), body(req)) })));
  router.delete('/Users/:id', route(async (ctx, req) => (await deleteScimUser(ctx, id(req)), { status: 204 })));

  router.get('/Groups', route(async (ctx, req) => ({ body: await listScimGroups(ctx, query(req)) })));
  router.post('/Groups', route(async (ctx, req) => ({ status: 201, body: await createScimGroup(ctx, body(req)) })));
  router.get('/Groups/:id', route(async (ctx, req) => ({ body: await getScimGroup(ctx, id(req), query(req)) })));
  router.put('/Groups/:id', route(async (ctx, req) => ({ body: await replaceScimGroup(ctx, id(req), body(req)) })));
  router.patch('/Groups/:id', route(async (ctx, req) => ({ body: await patchScimGroup(ctx, id(req), body(req), query(req)) })));
  router.delete('/Groups/:id', route(async (ctx, req) => (await deleteScimGroup(ctx, id(req)), { status: 204 })));

  router.use((req, _res, next) => next(new ScimError(404, `No SCIM endpoint ${req.method} ${req.path}`)));
  // Errors in SCIM's shape; a malformed JSON body included.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const scim =
      error instanceof ScimError
        ? error
        : (error as { type?: string }).type === 'entity.parse.failed'
          ? new ScimError(400, 'The body is not valid JSON', 'invalidSyntax')
          : new ScimError(500, 'Internal error');
    if (scim.status >= 500) s.logger.error({ err: error }, 'SCIM request failed');
    res.status(scim.status).type(SCIM_JSON).send(JSON.stringify(scim.body()));
  });
  return router;
}
