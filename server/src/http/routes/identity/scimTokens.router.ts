import { z } from 'zod';
import { auditActor } from '../../../commands/context.js';
import { AppError } from '../../../errors/appError.js';
import { presentScimToken } from '../../../identity/scim/scimTokens.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { IdParams } from '../../schemas/common.js';
import type { RouteBuilder } from '../../route.js';

const ScimTokenView = z
  .object({ id: z.uuid(), name: z.string(), hint: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() })
  .meta({ id: 'ScimToken' });
const ScimTokenList = z.object({ data: z.array(ScimTokenView), total: z.number().int() }).meta({ id: 'ScimTokenList' });
const ScimTokenSecret = ScimTokenView.extend({ token: z.string().describe('The bearer token; shown this once, stored only as a hash') }).meta({ id: 'ScimTokenSecret' });
const ScimTokenBody = z.object({ name: z.string().trim().min(1).max(100) }).strict().meta({ id: 'ScimTokenInput' });

export function scimTokenRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/identity/scim-tokens',
    summary: 'SCIM bearer tokens (names and hints; the secrets are never shown again)',
    tags: ['identity'],
    responses: { 200: { description: 'Every token, revoked ones included', schema: ScimTokenList } },
    handler: async ({ actor }) => {
      authorize(actor, 'identity.manage');
      const tokens = await s.prisma.scimToken.findMany({ orderBy: { createdAt: 'desc' } });
      return { body: { data: tokens.map(presentScimToken), total: tokens.length } };
    },
  });

  routes.add({
    method: 'post',
    path: '/identity/scim-tokens',
    summary: 'Generate a SCIM bearer token for a provisioning client; the answer is the only time it is shown',
    tags: ['identity'],
    body: ScimTokenBody,
    responses: { 201: { description: 'Generated', schema: ScimTokenSecret } },
    handler: async ({ actor, body, req }) => {
      authorize(actor, 'identity.manage');
      const { token, secret } = await s.scimTokens.create(body.name, actor.id);
      await s.audit.record({ actor: auditActor(actor), action: 'scim.token_create', resource: { type: 'scim_token', id: token.id }, newValues: { name: token.name, hint: token.hint }, meta: requestMeta(req) });
      return { status: 201, body: { ...presentScimToken(token), token: secret } };
    },
  });

  routes.add({
    method: 'post',
    path: '/identity/scim-tokens/:id/rotate',
    summary: 'Replace the secret of a SCIM token (the old one stops working at once)',
    tags: ['identity'],
    params: IdParams,
    responses: { 200: { description: 'The new secret', schema: ScimTokenSecret } },
    handler: async ({ actor, params, req }) => {
      authorize(actor, 'identity.manage');
      const rotated = await s.scimTokens.rotate(params.id);
      if (!rotated) throw AppError.notFound('SCIM token');
      await s.audit.record({ actor: auditActor(actor), action: 'scim.token_rotate', resource: { type: 'scim_token', id: params.id }, newValues: { name: rotated.token.name, hint: rotated.token.hint }, meta: requestMeta(req) });
      return { body: { ...presentScimToken(rotated.token), token: rotated.secret } };
    },
  });

  routes.add({
    method: 'delete',
    path: '/identity/scim-tokens/:id',
    summary: 'Revoke a SCIM token',
    tags: ['identity'],
    params: IdParams,
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ actor, params, req }) => {
      authorize(actor, 'identity.manage');
      const revoked = await s.scimTokens.revoke(params.id);
      if (!revoked) throw AppError.notFound('SCIM token');
      await s.audit.record({ actor: auditActor(actor), action: 'scim.token_revoke', resource: { type: 'scim_token', id: params.id }, oldValues: { name: revoked.name }, meta: requestMeta(req) });
      return { status: 204 };
    },
  });
}
