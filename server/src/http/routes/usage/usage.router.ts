import { z } from 'zod';
import { exportUsageCsv } from '../../../governance/usage/usageExport.js';
import { usageRange } from '../../../governance/usage/usageRange.js';
import { UsageReports } from '../../../governance/usage/usageReports.js';
import { authorize, visibleUsage, type Actor } from '../../../policies/index.js';
import type { Services } from '../../../services.js';
import { TopUsersView, UsageSummaryView, UsageTimeSeriesView } from '../../presenters/usage.js';
import type { RouteBuilder } from '../../route.js';
import { TopUsersQuery, UsageRangeQuery, UsageSummaryQuery, UsageTimeSeriesQuery } from './usage.schema.js';

// Console reports over usage_logs: admins see every call, managers the calls of
// their groups' members (policies/visibleUsage).
export function usageRoutes(s: Services, routes: RouteBuilder): void {
  const reports = new UsageReports(s.prisma);
  const filterOf = (actor: Actor, q: { from?: string; to?: string }) => ({ ...usageRange(q, s.quotas.currentTime(), s.quotas.timeZone), ...visibleUsage(actor) });
  const rangeView = (r: ReturnType<typeof filterOf>) => ({ from: r.from, to: r.to, timeZone: r.timeZone });

  routes.add({
    method: 'get',
    path: '/usage/summary',
    summary: 'Usage totals per user, group, assistant or model over whole days',
    tags: ['usage'],
    query: UsageSummaryQuery,
    responses: { 200: { description: 'Totals, most expensive first', schema: UsageSummaryView } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'usage.report');
      const filter = filterOf(actor, query);
      const [totals, rows] = await Promise.all([reports.totals(filter), reports.summary(filter, query.groupBy)]);
      return { body: { range: rangeView(filter), groupBy: query.groupBy, totals, rows } };
    },
  });

  routes.add({
    method: 'get',
    path: '/usage/timeseries',
    summary: 'Usage per day (zero-filled) for the most expensive users, groups, assistants or models',
    tags: ['usage'],
    query: UsageTimeSeriesQuery,
    responses: { 200: { description: 'One point per day per key', schema: UsageTimeSeriesView } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'usage.report');
      const filter = filterOf(actor, query);
      const { dates, series } = await reports.timeSeries(filter, query.groupBy, query.limit);
      return { body: { range: rangeView(filter), groupBy: query.groupBy, interval: 'day', dates, series } };
    },
  });

  routes.add({
    method: 'get',
    path: '/usage/top-users',
    summary: 'The users who spent most over the range',
    tags: ['usage'],
    query: TopUsersQuery,
    responses: { 200: { description: 'Most expensive first', schema: TopUsersView } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'usage.report');
      const filter = filterOf(actor, query);
      return { body: { range: rangeView(filter), rows: await reports.summary(filter, 'user', query.limit) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/usage/export.csv',
    summary: 'Every usage record of the range as CSV (streamed)',
    tags: ['usage'],
    query: UsageRangeQuery,
    responses: { 200: { description: 'CSV, one model call per line', schema: z.string(), contentType: 'text/csv' } },
    handler: async ({ actor, query, res }) => {
      authorize(actor, 'usage.report');
      const filter = filterOf(actor, query);
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="usage-${filter.from}-to-${filter.to}.csv"`);
      await exportUsageCsv(s.prisma, filter, res);
    },
  });
}
