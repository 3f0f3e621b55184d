import { z } from 'zod';
import type { Prisma } from '../../db/generated/client.js';

export const WebSourceView = z
  .object({
    id: z.uuid(),
    knowledgeBaseId: z.uuid(),
    url: z.string(),
    mode: z.enum(['page', 'site']),
    maxDepth: z.number().int(),
    maxPages: z.number().int(),
    scheduleMinutes: z.number().int().describe('Minutes between scheduled syncs; 0: only on demand'),
    status: z.enum(['queued', 'syncing', 'done', 'failed']),
    lastSyncStartedAt: z.string().nullable(),
    lastSyncFinishedAt: z.string().nullable(),
    lastSync: z
      .object({ added: z.number().int(), changed: z.number().int(), removed: z.number().int(), unchanged: z.number().int(), errors: z.number().int() })
      .describe('Pages of the last finished sync'),
    lastError: z.string().nullable().describe('Why the last sync failed, or which pages failed in it'),
    pageCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebSource' });

type WebSourceRecord = Prisma.WebSourceGetPayload<{ include: { _count: { select: { pages: true } } } }>;

export function presentWebSource(w: WebSourceRecord): z.infer<typeof WebSourceView> {
  return {
    id: w.id,
    knowledgeBaseId: w.knowledgeBaseId,
    url: w.url,
    mode: w.mode,
    maxDepth: w.maxDepth,
    maxPages: w.maxPages,
    scheduleMinutes: w.scheduleMinutes,
    status: w.status,
    lastSyncStartedAt: w.lastSyncStartedAt?.toISOString() ?? null,
    lastSyncFinishedAt: w.lastSyncFinishedAt?.toISOString() ?? null,
    lastSync: { added: w.lastAdded, changed: w.lastChanged, removed: w.lastRemoved, unchanged: w.lastUnchanged, errors: w.lastErrors },
    lastError: w.lastError,
    pageCount: w._count.pages,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export const WebSourcePageView = z
  .object({
    id: z.uuid(),
    url: z.string(),
    title: z.string().nullable(),
    kind: z.string(),
    depth: z.number().int(),
    fetchedAt: z.string(),
    lastError: z.string().nullable().describe('Why the page failed in the last sync (its previous text stays indexed)'),
    file: z
      .object({ id: z.uuid(), status: z.string(), chunkCount: z.number().int(), error: z.string().nullable() })
      .nullable()
      .describe('The knowledge file holding its text, with its indexing status'),
  })
  .meta({ id: 'WebSourcePage' });

type WebSourcePageRecord = Prisma.WebSourcePageGetPayload<{ include: { knowledgeFile: { select: { id: true; status: true; chunkCount: true; error: true } } } }>;

export function presentWebSourcePage(p: WebSourcePageRecord): z.infer<typeof WebSourcePageView> {
  return {
    id: p.id,
    url: p.url,
    title: p.title,
    kind: p.kind,
    depth: p.depth,
    fetchedAt: p.fetchedAt.toISOString(),
    lastError: p.lastError,
    file: p.knowledgeFile,
  };
}
