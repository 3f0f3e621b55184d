import { z } from 'zod';
import { continueSharedConversation } from '../../../commands/sharing/continueSharedConversation.js';
import { listConversationShares, revokeShare, shareConversation } from '../../../commands/sharing/shareConversation.js';
import { listSharedWithMe, viewSharedConversation } from '../../../commands/sharing/viewSharedConversation.js';
import { requestMeta, type Services } from '../../../services.js';
import { ConversationView, presentConversation } from '../../presenters/conversation.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams, pageBody, pageOf, pageWindow } from '../../schemas/common.js';
import {
  presentShare,
  presentSharedConversation,
  presentSharedWithMe,
  ShareCreate,
  SharedConversationView,
  SharedWithMeView,
  ShareView,
  TokenParams,
} from './shares.schema.js';

const PageQuery = z.object({ page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(50) });

// Shared conversations: read-only snapshots of a conversation for a colleague,
// a group, or anyone signed in with the link. Whoever may not see a share gets
// "not found", never "forbidden", so its existence does not leak.
export function shareRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'post',
    path: '/conversations/:id/shares',
    summary: 'Share the branch of one of your conversations shown now, read-only: with a colleague (by e-mail), one of your groups, or as a link for anyone signed in',
    tags: ['sharing'],
    params: IdParams,
    body: ShareCreate,
    responses: { 201: { description: 'The share', schema: ShareView } },
    handler: async ({ actor, params, body, req }) => {
      const share = await shareConversation(s, { actor, meta: requestMeta(req) }, params.id, body);
      return { status: 201, body: presentShare({ ...share, _count: { views: 0 } }) };
    },
  });

  routes.add({
    method: 'get',
    path: '/conversations/:id/shares',
    summary: 'The shares of one of your conversations, newest first',
    tags: ['sharing'],
    params: IdParams,
    responses: { 200: { description: 'Its shares', schema: z.object({ data: z.array(ShareView) }).meta({ id: 'ShareList' }) } },
    handler: async ({ actor, params }) => ({ body: { data: (await listConversationShares(s, actor, params.id)).map(presentShare) } }),
  });

  routes.add({
    method: 'delete',
    path: '/shares/:id',
    summary: 'Revoke one of your shares: it opens nothing from now on',
    tags: ['sharing'],
    params: IdParams,
    responses: { 204: { description: 'Revoked' } },
    handler: async ({ actor, params, req }) => {
      await revokeShare(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/shared/:token',
    summary: 'A conversation shared with you (or a link): the snapshot as its owner saw it; passages only where you may read the knowledge',
    tags: ['sharing'],
    params: TokenParams,
    responses: { 200: { description: 'The snapshot', schema: SharedConversationView } },
    handler: async ({ actor, params, req }) => ({ body: presentSharedConversation(await viewSharedConversation(s, { actor, meta: requestMeta(req) }, params.token), actor.id) }),
  });

  routes.add({
    method: 'post',
    path: '/shared/:token/continue',
    summary: 'Continue a shared conversation in your own chat: a copy of the snapshot, yours, with the same assistant (which you must be allowed to use)',
    tags: ['sharing'],
    params: TokenParams,
    responses: { 201: { description: 'Your new conversation', schema: ConversationView } },
    handler: async ({ actor, params, req }) => ({ status: 201, body: presentConversation(await continueSharedConversation(s, { actor, meta: requestMeta(req) }, params.token)) }),
  });

  routes.add({
    method: 'get',
    path: '/me/shared-with-me',
    summary: 'Conversations colleagues shared with you, your groups, or by a link you opened; newest first',
    tags: ['sharing'],
    query: PageQuery,
    responses: { 200: { description: 'A page of shares', schema: pageOf(SharedWithMeView, 'SharedWithMePage') } },
    handler: async ({ actor, query }) => {
      const { rows, total } = await listSharedWithMe(s, actor, pageWindow(query));
      return { body: pageBody(rows.map(presentSharedWithMe), total, query) };
    },
  });
}
