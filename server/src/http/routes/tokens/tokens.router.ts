import {
  createPersonalToken,
  listAllTokens,
  listOwnTokens,
  publicToken,
  revokePersonalToken,
} from '../../../integrations/tokens/personalTokenCommands.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams } from '../../schemas/common.js';
import { AllTokensQuery, CreatedToken, OwnedTokenList, TokenCreate, TokenList } from './tokens.schema.js';

// Personal access tokens: a user's own (/me/tokens) and, for admins, everyone's
// (/tokens). None of these routes accepts a personal access token itself: a
// token cannot mint, list or revoke tokens.

export function tokenRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'post',
    path: '/me/tokens',
    summary: 'Create a personal access token for yourself; the token is in the answer this once only',
    tags: ['tokens'],
    body: TokenCreate,
    responses: { 201: { description: 'Created', schema: CreatedToken } },
    handler: async ({ actor, body, req }) => {
      const { record, token } = await createPersonalToken(s, { actor, meta: requestMeta(req) }, body);
      return { status: 201, body: { ...publicToken(record), token } };
    },
  });

  routes.add({
    method: 'get',
    path: '/me/tokens',
    summary: 'Your personal access tokens that are not revoked (never the tokens themselves)',
    tags: ['tokens'],
    responses: { 200: { description: 'Your tokens', schema: TokenList } },
    handler: async ({ actor }) => {
      const tokens = await listOwnTokens(s, actor);
      return { body: { data: tokens.map(publicToken), total: tokens.length } };
    },
  });

  routes.add({
    method: 'delete',
    path: '/me/tokens/:id',
    summary: 'Revoke one of your personal access tokens; it stops working at once',
    tags: ['tokens'],
    params: IdParams,
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ actor, params, req }) => {
      await revokePersonalToken(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/tokens',
    summary: "Everyone's personal access tokens with their owners (admins)",
    tags: ['tokens'],
    query: AllTokensQuery,
    responses: { 200: { description: 'Tokens, newest first', schema: OwnedTokenList } },
    handler: async ({ actor, query }) => {
      const rows = await listAllTokens(s, actor, query);
      return { body: { data: rows.map((r) => ({ ...publicToken(r.token), owner: r.owner })), total: rows.length } };
    },
  });

  routes.add({
    method: 'delete',
    path: '/tokens/:id',
    summary: "Revoke anyone's personal access token (admins)",
    tags: ['tokens'],
    params: IdParams,
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ actor, params, req }) => {
      await revokePersonalToken(s, { actor, meta: requestMeta(req) }, params.id, true);
      return { status: 204 };
    },
  });
}
