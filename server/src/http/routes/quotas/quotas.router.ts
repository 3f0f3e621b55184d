import type { Quota } from '../../../db/generated/client.js';
import { createQuota, deleteQuota, updateQuota } from '../../../governance/quotas/quotaAdmin.js';
import { limitStandings, scopeNames } from '../../../governance/quotas/quotaViews.js';
import { AppError } from '../../../errors/appError.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { presentQuota, presentQuotaAlert, QuotaAlertView, QuotaView } from '../../presenters/quota.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams, pageBody, pageOf, pageWindow } from '../../schemas/common.js';
import { QuotaAlertQuery, QuotaCreateBody, QuotaListQuery, QuotaUpdateBody } from './quotas.schema.js';

export function quotaRoutes(s: Services, routes: RouteBuilder): void {
  /** Quotas with their scope names and where each limit stands now. */
  async function present(quotas: Quota[]) {
    await s.quotas.sweepIfDue();
    const [names, standings] = await Promise.all([
      scopeNames(s.prisma, quotas),
      limitStandings(s.prisma, quotas, s.quotas.currentTime(), s.quotas.timeZone),
    ]);
    return quotas.map((q) => presentQuota(q, q.scopeId ? names.get(q.scopeId) : undefined, standings.get(q.id) ?? []));
  }

  routes.add({
    method: 'get',
    path: '/quotas',
    summary: 'Quotas with current usage against each limit (global first, then groups, users, assistants)',
    tags: ['quotas'],
    query: QuotaListQuery,
    responses: { 200: { description: 'A page of quotas', schema: pageOf(QuotaView, 'QuotaPage') } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'quota.manage');
      const where = { scope: query.scope };
      const [rows, total] = await Promise.all([
        // Enums sort in declaration order: global, group, user, assistant.
        s.prisma.quota.findMany({ where, orderBy: [{ scope: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }], ...pageWindow(query) }),
        s.prisma.quota.count({ where }),
      ]);
      return { body: pageBody(await present(rows), total, query) };
    },
  });

  routes.add({
    method: 'post',
    path: '/quotas',
    summary: 'Create the quota of a scope (one per scope)',
    tags: ['quotas'],
    body: QuotaCreateBody,
    responses: { 201: { description: 'Created', schema: QuotaView } },
    handler: async ({ actor, body, req }) => {
      const quota = await createQuota(s, { actor, meta: requestMeta(req) }, body);
      return { status: 201, body: (await present([quota]))[0] };
    },
  });

  routes.add({
    method: 'get',
    path: '/quotas/:id',
    summary: 'One quota with current usage against each limit',
    tags: ['quotas'],
    params: IdParams,
    responses: { 200: { description: 'The quota', schema: QuotaView } },
    handler: async ({ actor, params }) => {
      authorize(actor, 'quota.manage');
      const quota = await s.prisma.quota.findUnique({ where: { id: params.id } });
      if (!quota) throw AppError.notFound('Quota');
      return { body: (await present([quota]))[0] };
    },
  });

  routes.add({
    method: 'patch',
    path: '/quotas/:id',
    summary: 'Change limits (null removes one) or the alert threshold',
    tags: ['quotas'],
    params: IdParams,
    body: QuotaUpdateBody,
    responses: { 200: { description: 'Updated', schema: QuotaView } },
    handler: async ({ actor, params, body, req }) => {
      const quota = await updateQuota(s, { actor, meta: requestMeta(req) }, params.id, body);
      return { body: (await present([quota]))[0] };
    },
  });

  routes.add({
    method: 'delete',
    path: '/quotas/:id',
    summary: 'Remove a quota (its counters and alerts go with it)',
    tags: ['quotas'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteQuota(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/quota-alerts',
    summary: 'Alerts recorded when a limit crossed its threshold, newest first',
    tags: ['quotas'],
    query: QuotaAlertQuery,
    responses: { 200: { description: 'A page of alerts', schema: pageOf(QuotaAlertView, 'QuotaAlertPage') } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'quota.manage');
      const where = { quotaId: query.quotaId };
      const [rows, total] = await Promise.all([
        s.prisma.quotaAlert.findMany({ where, include: { quota: { select: { scope: true, scopeId: true } } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...pageWindow(query) }),
        s.prisma.quotaAlert.count({ where }),
      ]);
      const names = await scopeNames(s.prisma, rows.map((r) => r.quota));
      return { body: pageBody(rows.map((r) => presentQuotaAlert(r, r.quota.scopeId ? names.get(r.quota.scopeId) : undefined)), total, query) };
    },
  });
}
