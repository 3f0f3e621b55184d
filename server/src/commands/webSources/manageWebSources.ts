import { AppError } from '../../errors/appError.js';
import { authorize } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';
import { manageableWebSources } from '../../policies/knowledgeBases.js';
import type { Services } from '../../services.js';
import { enqueueWebSourceSync } from '../../websources/knowledge/webSourceSyncJob.js';
import { isWebSourceError } from '../../websources/webSourceError.js';
import { normaliseUrl } from '../../websources/webUrls.js';
import { knowledgeBaseFor } from '../knowledgeBases/knowledgeBaseAccess.js';
import { auditActor, type CommandContext } from '../context.js';

// Web sources of one knowledge base (docs/web-sources.md). Only the people who
// may manage the base see or change them: a source fetches from the network
// and writes into the base.

export interface WebSourceInput {
  url: string;
  mode: 'page' | 'site';
  maxDepth?: number;
  maxPages?: number;
  scheduleMinutes?: number;
}

/** A source of a base the actor may manage; anything else is "not found". */
export async function webSourceFor(s: Pick<Services, 'prisma'>, actor: Actor, knowledgeBaseId: string, webSourceId: string) {
  authorize(actor, 'console.open');
  const source = await s.prisma.webSource.findFirst({ where: { id: webSourceId, knowledgeBaseId, ...manageableWebSources(actor) } });
  if (!source) throw AppError.notFound('Web source');
  return source;
}

export async function listWebSources(s: Pick<Services, 'prisma'>, actor: Actor, knowledgeBaseId: string) {
  await knowledgeBaseFor(s, actor, knowledgeBaseId, 'manage');
  return s.prisma.webSource.findMany({
    where: { knowledgeBaseId, ...manageableWebSources(actor) },
    orderBy: { createdAt: 'asc' },
    include: { _count: { select: { pages: true } } },
  });
}

function cleanUrl(url: string): string {
  try {
    return normaliseUrl(url);
  } catch (error) {
    const message = isWebSourceError(error) ? error.message : 'must be an http(s) URL';
    throw new AppError('validation_failed', message, { issues: [{ path: 'url', message }] });
  }
}

/** Adds a source and queues its first sync in the same transaction. */
export async function createWebSource(s: Services, ctx: CommandContext, knowledgeBaseId: string, input: WebSourceInput) {
  const base = await knowledgeBaseFor(s, ctx.actor, knowledgeBaseId, 'manage');
  const url = cleanUrl(input.url);
  const duplicate = await s.prisma.webSource.findFirst({ where: { knowledgeBaseId: base.id, url, mode: input.mode } });
  if (duplicate) throw new AppError('conflict', 'This base already has that web source', { webSourceId: duplicate.id });
  return s.prisma.$transaction(async (tx) => {
    const source = await tx.webSource.create({
      data: {
        knowledgeBaseId: base.id,
        url,
        mode: input.mode,
        ...(input.maxDepth !== undefined ? { maxDepth: input.maxDepth } : {}),
        ...(input.maxPages !== undefined ? { maxPages: input.maxPages } : {}),
        scheduleMinutes: input.scheduleMinutes ?? 0,
        status: 'queued',
        createdById: ctx.actor.id,
      },
      include: { _count: { select: { pages: true } } },
    });
    await enqueueWebSourceSync(s.jobs, source.id, tx);
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'websource.create',
        resource: { type: 'web_source', id: source.id },
        newValues: { knowledgeBaseId: base.id, url, mode: source.mode, maxDepth: source.maxDepth, maxPages: source.maxPages, scheduleMinutes: source.scheduleMinutes },
        meta: ctx.meta,
      },
      tx,
    );
    return source;
  });
}

/** Changes limits or the schedule; they apply from the next sync. */
export async function updateWebSource(s: Services, ctx: CommandContext, knowledgeBaseId: string, webSourceId: string, input: Partial<Pick<WebSourceInput, 'maxDepth' | 'maxPages' | 'scheduleMinutes'>>) {
  const before = await webSourceFor(s, ctx.actor, knowledgeBaseId, webSourceId);
  return s.prisma.$transaction(async (tx) => {
    const source = await tx.webSource.update({ where: { id: before.id }, data: input, include: { _count: { select: { pages: true } } } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'websource.update',
        resource: { type: 'web_source', id: source.id },
        oldValues: { maxDepth: before.maxDepth, maxPages: before.maxPages, scheduleMinutes: before.scheduleMinutes },
        newValues: { maxDepth: source.maxDepth, maxPages: source.maxPages, scheduleMinutes: source.scheduleMinutes },
        meta: ctx.meta,
      },
      tx,
    );
    return source;
  });
}

/**
 * Queues a sync now. While one is queued or running the request joins it
 * (the job's key is the source), so two clicks never crawl twice.
 */
export async function requestWebSourceSync(s: Services, ctx: CommandContext, knowledgeBaseId: string, webSourceId: string) {
  const source = await webSourceFor(s, ctx.actor, knowledgeBaseId, webSourceId);
  await s.prisma.$transaction(async (tx) => {
    await tx.webSource.updateMany({ where: { id: source.id, status: { not: 'syncing' } }, data: { status: 'queued' } });
    await enqueueWebSourceSync(s.jobs, source.id, tx);
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'websource.sync_requested', resource: { type: 'web_source', id: source.id }, newValues: { knowledgeBaseId }, meta: ctx.meta },
      tx,
    );
  });
  return s.prisma.webSource.findUniqueOrThrow({ where: { id: source.id }, include: { _count: { select: { pages: true } } } });
}

/**
 * Deletes the source with its pages' files and chunks. The source's row is
 * locked first: a sync storing a page at that moment either committed before
 * (its file is found and deleted here) or waits and then fails on the missing
 * source, so no file outlives its source.
 */
export async function deleteWebSource(s: Services, ctx: CommandContext, knowledgeBaseId: string, webSourceId: string): Promise<void> {
  const source = await webSourceFor(s, ctx.actor, knowledgeBaseId, webSourceId);
  const files = await s.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM web_sources WHERE id = ${source.id}::uuid FOR UPDATE`;
    const owned = await tx.knowledgeFile.findMany({ where: { webPage: { webSourceId: source.id } }, select: { id: true, storagePath: true } });
    await tx.knowledgeFile.deleteMany({ where: { id: { in: owned.map((f) => f.id) } } });
    await tx.webSource.delete({ where: { id: source.id } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'websource.delete',
        resource: { type: 'web_source', id: source.id },
        oldValues: { knowledgeBaseId, url: source.url, mode: source.mode, files: owned.length },
        meta: ctx.meta,
      },
      tx,
    );
    return owned;
  });
  for (const file of files) await s.storage.remove(file.storagePath);
}

export async function listWebSourcePages(s: Pick<Services, 'prisma'>, actor: Actor, knowledgeBaseId: string, webSourceId: string) {
  const source = await webSourceFor(s, actor, knowledgeBaseId, webSourceId);
  return s.prisma.webSourcePage.findMany({
    where: { webSourceId: source.id },
    orderBy: [{ depth: 'asc' }, { url: 'asc' }],
    include: { knowledgeFile: { select: { id: true, status: true, chunkCount: true, error: true } } },
  });
}
