import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { auditActor } from '../../../commands/context.js';
import { AppError } from '../../../errors/appError.js';
import { auditExportContentType, startAuditExport } from '../../../governance/auditExport.js';
import { auditActions, auditWhere } from '../../../governance/auditQuery.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { AuditEntryView, presentAuditEntry } from '../../presenters/auditEntry.js';
import type { RouteBuilder } from '../../route.js';
import { pageBody, pageOf, pageWindow } from '../../schemas/common.js';
import { AuditExportQuery, AuditIdParams, AuditListQuery, AuditVerification, AuditVerifyQuery } from './audit.schema.js';

export function auditRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/audit',
    summary: 'Audit entries, newest first by default, filtered by actor, action, resource and time',
    tags: ['audit'],
    query: AuditListQuery,
    responses: { 200: { description: 'A page of entries', schema: pageOf(AuditEntryView, 'AuditPage') } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'audit.read');
      const where = auditWhere(query);
      const [rows, total] = await Promise.all([
        s.prisma.auditLog.findMany({ where, orderBy: [{ [query.sort]: query.order }, { id: query.order }], ...pageWindow(query) }),
        s.prisma.auditLog.count({ where }),
      ]);
      return { body: pageBody(rows.map(presentAuditEntry), total, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/audit/verify',
    summary: 'Walk the hash chain (whole, or from a noted checkpoint) and report the first broken link',
    tags: ['audit'],
    query: AuditVerifyQuery,
    responses: { 200: { description: 'Result', schema: AuditVerification } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'audit.read');
      const checkpoint = query.fromId && query.fromHash ? { id: BigInt(query.fromId), hash: query.fromHash } : undefined;
      return { body: await s.audit.verify(undefined, checkpoint) };
    },
  });

  routes.add({
    method: 'get',
    path: '/audit/actions',
    summary: 'Every action name that occurs in the log, for filters',
    tags: ['audit'],
    responses: { 200: { description: 'Action names, sorted', schema: z.object({ data: z.array(z.string()) }) } },
    handler: async ({ actor }) => {
      authorize(actor, 'audit.read');
      return { body: { data: await auditActions(s.prisma) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/audit/export',
    summary: 'Download the matching entries as CSV or NDJSON (streamed; the export itself is audited)',
    tags: ['audit'],
    query: AuditExportQuery,
    responses: {
      200: { description: 'Entries oldest first, one per line (NDJSON: application/x-ndjson)', schema: z.string(), contentType: 'text/csv' },
    },
    handler: async ({ actor, query, req, res }) => {
      authorize(actor, 'audit.read');
      const { format, ...filters } = query;
      const { stream, fileName } = await startAuditExport(s, { actor: auditActor(actor), meta: requestMeta(req) }, format, filters);
      res.status(200);
      res.attachment(fileName);
      res.setHeader('Content-Type', auditExportContentType[format]);
      res.setHeader('Cache-Control', 'no-store');
      // A proxy must pass the reader's pace through rather than spool the whole export.
      res.setHeader('X-Accel-Buffering', 'no');
      await pipeline(stream, res).catch((error: unknown) => {
        // A reader that hangs up mid-download is not a server error.
        if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
        throw error;
      });
    },
  });

  routes.add({
    method: 'get',
    path: '/audit/:id',
    summary: 'One audit entry with its old and new values and hashes',
    tags: ['audit'],
    params: AuditIdParams,
    responses: { 200: { description: 'The entry', schema: AuditEntryView } },
    handler: async ({ actor, params }) => {
      authorize(actor, 'audit.read');
      const row = await s.prisma.auditLog.findUnique({ where: { id: BigInt(params.id) } });
      if (!row) throw AppError.notFound('Audit entry');
      return { body: presentAuditEntry(row) };
    },
  });
}
