import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { PrismaClient } from '../db/database.js';
import type { AuditLog as AuditRow } from '../db/generated/client.js';
import { plainEntry } from './auditChain.js';
import type { AuditLog, RequestMeta } from './auditLog.js';
import { auditBatches, auditHeadId, auditWhere, type AuditFilters } from './auditQuery.js';

export type AuditExportFormat = 'csv' | 'ndjson';

/** Every stored field, hashes included, so the export can be checked against the chain elsewhere. */
export const AUDIT_EXPORT_COLUMNS = [
  'id', 'createdAt', 'actorId', 'actorEmail', 'action', 'resourceType', 'resourceId',
  'oldValues', 'newValues', 'ip', 'userAgent', 'prevHash', 'hash',
] as const;

export const auditExportContentType: Record<AuditExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

function csvCells(row: AuditRow): string[] {
  const r = plainEntry(row);
  const json = (v: unknown) => (v === null ? '' : JSON.stringify(v));
  return AUDIT_EXPORT_COLUMNS.map((c) => (c === 'oldValues' || c === 'newValues' ? json(r[c]) : (r[c] ?? '')));
}

async function* ndjsonChunks(batches: AsyncIterable<AuditRow[]>): AsyncGenerator<string> {
  for await (const rows of batches) yield rows.map((row) => JSON.stringify(plainEntry(row))).join('\n') + '\n';
}

// escape_formulas prefixes cells starting with = + - @ tab or CR with ' so a spreadsheet shows them as text.
const CSV_OPTIONS = { escape_formulas: true } as const;

async function* csvChunks(batches: AsyncIterable<AuditRow[]>): AsyncGenerator<string> {
  // The byte-order mark makes spreadsheet programs read the file as UTF-8.
  yield '\uFEFF' + stringify([[...AUDIT_EXPORT_COLUMNS]], CSV_OPTIONS);
  for await (const rows of batches) yield stringify(rows.map(csvCells), CSV_OPTIONS);
}

/**
 * The export as a byte stream, one chunk per keyset batch, produced only as
 * fast as the reader takes it (piping it applies backpressure), so memory is
 * a batch or two whatever the range.
 */
export function auditExportStream(prisma: PrismaClient, filters: AuditFilters, upToId: bigint, format: AuditExportFormat, batchSize = 1000): Readable {
  const batches = auditBatches(prisma, auditWhere(filters), upToId, batchSize);
  return Readable.from(format === 'ndjson' ? ndjsonChunks(batches) : csvChunks(batches), { objectMode: false, highWaterMark: 1 });
}

/**
 * Starts an export: the request is audited first (who exported what), then
 * the range is fixed at the newest entry before that one.
 */
export async function startAuditExport(
  s: { prisma: PrismaClient; audit: AuditLog },
  ctx: { actor: { id: string; email: string }; meta: RequestMeta },
  format: AuditExportFormat,
  filters: AuditFilters,
): Promise<{ stream: Readable; fileName: string }> {
  const upToId = await auditHeadId(s.prisma);
  await s.audit.record({ actor: ctx.actor, action: 'audit.export', resource: { type: 'audit_log' }, newValues: { format, filters, upToId }, meta: ctx.meta });
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  return { stream: auditExportStream(s.prisma, filters, upToId, format), fileName: `atrium-audit-${stamp}Z.${format}` };
}
