import { z } from 'zod';
import { listQuery } from '../../schemas/common.js';

const DAY_MS = 86_400_000;

/**
 * An ISO-8601 instant (`2026-11-22T16:00:00Z`) or a whole day in UTC
 * (`2026-11-22`): its first millisecond as a start, its last as an end, so
 * `from=2026-11-01&to=2026-11-30` is all of November.
 */
const instant = (edge: 'start' | 'end') =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .transform((v) => (v.length === 10 && edge === 'end' ? new Date(new Date(v).getTime() + DAY_MS - 1) : new Date(v)));

const filterFields = {
  actorId: z.uuid().optional(),
  actorEmail: z.string().trim().min(1).max(254).optional().describe('Part of the actor’s email, any letter case'),
  action: z
    .string()
    .trim()
    .regex(/^[\w.]+\*?$/, 'letters, digits, _ and . (a trailing . or * matches a prefix)')
    .max(100)
    .optional()
    .describe('Exact action, or a prefix ending in . or * (e.g. auth.)'),
  resourceType: z.string().max(50).optional(),
  resourceId: z.string().max(100).optional(),
  from: instant('start').optional().describe('Entries at or after this instant (a day: from its start, UTC)'),
  to: instant('end').optional().describe('Entries at or before this instant (a day: to its end, UTC)'),
};

const fromBeforeTo = (q: { from?: Date; to?: Date }) => !q.from || !q.to || q.from <= q.to;
const rangeError = { message: '`from` must not be after `to`', path: ['from'] };

export const AuditListQuery = listQuery(['createdAt', 'id', 'action', 'actorEmail', 'resourceType'] as const, 'createdAt')
  .extend(filterFields)
  .refine(fromBeforeTo, rangeError);

export const AuditExportQuery = z
  .object({ format: z.enum(['csv', 'ndjson']).default('csv'), ...filterFields, q: z.string().trim().max(200).optional() })
  .refine(fromBeforeTo, rangeError);

export const AuditIdParams = z.object({ id: z.string().regex(/^[1-9]\d{0,18}$/, 'must be an audit entry id') });

export const AuditVerifyQuery = z
  .object({
    fromId: z.string().regex(/^[1-9]\d{0,18}$/, 'must be an audit entry id').optional().describe('A checkpoint: `lastId` of an earlier walk'),
    fromHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest').optional().describe('The `lastHash` reported with it'),
  })
  .refine((q) => !q.fromId === !q.fromHash, { message: 'fromId and fromHash go together', path: ['fromHash'] });

export const AuditVerification = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    lastId: z.string().optional(),
    lastHash: z.string().optional(),
    firstBrokenId: z.string().optional(),
    brokenField: z.enum(['prevHash', 'hash']).optional(),
    reason: z.string().optional(),
    expectedHash: z.string().optional(),
    storedHash: z.string().optional(),
  })
  .meta({ id: 'AuditVerification' });
