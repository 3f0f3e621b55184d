import { z } from 'zod';
import type { Prisma } from '../../../db/generated/client.js';
import { authorize } from '../../../policies/index.js';
import type { Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { pageBody, pageOf, pageWindow } from '../../schemas/common.js';

const AuditQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  action: z.string().max(100).optional(),
  actorId: z.uuid().optional(),
  resourceType: z.string().max(50).optional(),
  resourceId: z.string().max(100).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

const AuditEntryView = z
  .object({
    id: z.string(),
    actorId: z.string().nullable(),
    actorEmail: z.string().nullable(),
    action: z.string(),
    resourceType: z.string().nullable(),
    resourceId: z.string().nullable(),
    oldValues: z.unknown(),
    newValues: z.unknown(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const Verification = z
  .object({ ok: z.boolean(), checked: z.number().int(), firstBrokenId: z.string().optional(), reason: z.string().optional() })
  .meta({ id: 'AuditVerification' });

export function auditRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/audit',
    summary: 'Audit entries, newest first, filtered',
    tags: ['audit'],
    query: AuditQuery,
    responses: { 200: { description: 'A page of entries', schema: pageOf(AuditEntryView, 'AuditPage') } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'audit.read');
      const where: Prisma.AuditLogWhereInput = {
        action: query.action,
        actorId: query.actorId,
        resourceType: query.resourceType,
        resourceId: query.resourceId,
        createdAt: { gte: query.from, lte: query.to },
      };
      const [rows, total] = await Promise.all([
        s.prisma.auditLog.findMany({ where, orderBy: { id: 'desc' }, ...pageWindow(query) }),
        s.prisma.auditLog.count({ where }),
      ]);
      const data = rows.map(({ prevHash: _prev, ...row }) => ({ ...row, id: row.id.toString(), createdAt: row.createdAt.toISOString() }));
      return { body: pageBody(data, total, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/audit/verify',
    summary: 'Walk the hash chain and report the first broken link',
    tags: ['audit'],
    responses: { 200: { description: 'Result', schema: Verification } },
    handler: async ({ actor }) => {
      authorize(actor, 'audit.read');
      return { body: await s.audit.verify() };
    },
  });
}
