import { z } from 'zod';
import {
  createWebSource,
  deleteWebSource,
  listWebSourcePages,
  listWebSources,
  requestWebSourceSync,
  updateWebSource,
  webSourceFor,
} from '../../../commands/webSources/manageWebSources.js';
import { requestMeta, type Services } from '../../../services.js';
import { presentWebSource, presentWebSourcePage, WebSourcePageView, WebSourceView } from '../../presenters/webSource.js';
import type { RouteBuilder } from '../../route.js';
import { CreateWebSourceBody, UpdateWebSourceBody, WebSourceListParams, WebSourceParams } from './webSources.schema.js';

// Web sources of a knowledge base (docs/web-sources.md): for the people who
// may manage the base only.
export function webSourceRoutes(s: Services, routes: RouteBuilder): void {
  const tags = ['web-sources'];

  routes.add({
    method: 'get',
    path: '/knowledge-bases/:id/web-sources',
    summary: "A base's web sources with the status and counts of their last sync",
    tags,
    params: WebSourceListParams,
    responses: { 200: { description: 'Sources, oldest first', schema: z.object({ data: z.array(WebSourceView), total: z.number().int() }).meta({ id: 'WebSourceList' }) } },
    handler: async ({ actor, params }) => {
      const rows = await listWebSources(s, actor, params.id);
      return { body: { data: rows.map(presentWebSource), total: rows.length } };
    },
  });

  routes.add({
    method: 'post',
    path: '/knowledge-bases/:id/web-sources',
    summary: 'Add a web page or a site to a base; its first sync is queued at once',
    tags,
    params: WebSourceListParams,
    body: CreateWebSourceBody,
    responses: { 201: { description: 'Created and queued', schema: WebSourceView } },
    handler: async ({ actor, params, body, req }) => ({ status: 201, body: presentWebSource(await createWebSource(s, { actor, meta: requestMeta(req) }, params.id, body)) }),
  });

  routes.add({
    method: 'get',
    path: '/knowledge-bases/:id/web-sources/:sourceId',
    summary: 'One web source',
    tags,
    params: WebSourceParams,
    responses: { 200: { description: 'The source', schema: WebSourceView } },
    handler: async ({ actor, params }) => {
      const source = await webSourceFor(s, actor, params.id, params.sourceId);
      return { body: presentWebSource(await s.prisma.webSource.findUniqueOrThrow({ where: { id: source.id }, include: { _count: { select: { pages: true } } } })) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/knowledge-bases/:id/web-sources/:sourceId',
    summary: "Change a source's limits or schedule (from its next sync)",
    tags,
    params: WebSourceParams,
    body: UpdateWebSourceBody,
    responses: { 200: { description: 'The source', schema: WebSourceView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentWebSource(await updateWebSource(s, { actor, meta: requestMeta(req) }, params.id, params.sourceId, body)) }),
  });

  routes.add({
    method: 'delete',
    path: '/knowledge-bases/:id/web-sources/:sourceId',
    summary: 'Delete a source with the files and chunks of its pages',
    tags,
    params: WebSourceParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteWebSource(s, { actor, meta: requestMeta(req) }, params.id, params.sourceId);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post',
    path: '/knowledge-bases/:id/web-sources/:sourceId/sync',
    summary: 'Sync now (joins the sync already queued or running, if any)',
    tags,
    params: WebSourceParams,
    responses: { 202: { description: 'Queued', schema: WebSourceView } },
    handler: async ({ actor, params, req }) => ({ status: 202, body: presentWebSource(await requestWebSourceSync(s, { actor, meta: requestMeta(req) }, params.id, params.sourceId)) }),
  });

  routes.add({
    method: 'get',
    path: '/knowledge-bases/:id/web-sources/:sourceId/pages',
    summary: "A source's pages with their indexing status and last error",
    tags,
    params: WebSourceParams,
    responses: { 200: { description: 'Pages by depth, then URL', schema: z.object({ data: z.array(WebSourcePageView), total: z.number().int() }).meta({ id: 'WebSourcePageList' }) } },
    handler: async ({ actor, params }) => {
      const rows = await listWebSourcePages(s, actor, params.id, params.sourceId);
      return { body: { data: rows.map(presentWebSourcePage), total: rows.length } };
    },
  });
}
