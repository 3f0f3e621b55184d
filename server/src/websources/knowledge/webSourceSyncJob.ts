import { z } from 'zod';
import type { Prisma } from '../../db/generated/client.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { JobHandler } from '../../jobs/worker.js';
import type { Services } from '../../services.js';
import type { PreviousPage } from '../crawl.js';
import { syncSource, type SyncResult } from '../syncSource.js';
import { isWebSourceError, type WebSourceErrorCode } from '../webSourceError.js';
import { applySyncResult } from './applySyncResult.js';

export const SYNC_WEB_SOURCE = 'websource.sync';

const Payload = z.object({ webSourceId: z.uuid() });

/**
 * Queues a sync. The job's key is the source, so while one sync of it is
 * queued or running another request is a no-op: a source never syncs twice at
 * once, whatever the number of workers.
 */
export function enqueueWebSourceSync(queue: JobQueue, webSourceId: string, tx?: Prisma.TransactionClient): Promise<void> {
  return queue.enqueue(SYNC_WEB_SOURCE, { webSourceId }, { dedupeKey: `websource:${webSourceId}`, maxAttempts: 3 }, tx);
}

// Failures of the whole source that may pass (the site or its robots.txt is
// down for a moment) are tried again with the queue's backoff; the others
// (a refused address, an invalid URL) wait for a person.
const transientCodes = new Set<WebSourceErrorCode>(['robots_unavailable', 'network', 'timeout', 'idle_timeout', 'dns_failed', 'http_status']);

/** Per-page failures shown on the source: how many, and the first few with their URL. */
function errorSummary(result: SyncResult, applyErrors: number): string | null {
  const total = result.errors.length + applyErrors;
  if (total === 0) return null;
  const listed = result.errors.slice(0, 3).map((e) => `${e.url}: ${e.message}`);
  return `${total} page${total === 1 ? '' : 's'} failed${listed.length ? ` (${listed.join('; ')}${total > listed.length ? '; …' : ''})` : ''}`.slice(0, 2000);
}

export function webSourceSyncJob(s: Services): JobHandler {
  const { prisma } = s;

  async function finishFailed(webSourceId: string, message: string, status: 'failed' | 'queued') {
    await prisma.webSource.updateMany({ where: { id: webSourceId }, data: { status, lastError: message.slice(0, 2000), ...(status === 'failed' ? { lastSyncFinishedAt: new Date() } : {}) } });
  }

  return {
    type: SYNC_WEB_SOURCE,
    async run(payload, { signal, attempt, lastAttempt }) {
      const { webSourceId } = Payload.parse(payload);
      const source = await prisma.webSource.findFirst({ where: { id: webSourceId, knowledgeBase: { deletedAt: null } } });
      if (!source) return; // deleted since it was queued
      const log = s.logger.child({ webSourceId, knowledgeBaseId: source.knowledgeBaseId });
      await prisma.webSource.update({ where: { id: source.id }, data: { status: 'syncing', lastSyncStartedAt: new Date() } });

      // A page whose file someone deleted is left out, so the engine finds it "added" and it is indexed again.
      const pages = await prisma.webSourcePage.findMany({ where: { webSourceId, knowledgeFileId: { not: null } } });
      const previous: PreviousPage[] = pages.map((p) => ({
        url: p.url,
        contentHash: p.contentHash,
        ...(p.etag ? { etag: p.etag } : {}),
        ...(p.lastModified ? { lastModified: p.lastModified } : {}),
        links: Array.isArray(p.links) ? (p.links as string[]) : [],
      }));
      const settings = await s.settings.fresh('webSources');

      let result: SyncResult;
      try {
        result = await syncSource({ url: source.url, mode: source.mode, maxDepth: source.maxDepth, maxPages: source.maxPages }, previous, {
          userAgent: settings.userAgent,
          allowList: settings.allowList,
          signal,
        });
      } catch (error) {
        if (!isWebSourceError(error) || signal.aborted) throw error;
        // The source as a whole cannot be crawled now: nothing is changed, the reason is shown.
        const retry = transientCodes.has(error.code) && !lastAttempt;
        await finishFailed(source.id, retry ? `Attempt ${attempt} failed (${error.message}); retrying` : error.message, retry ? 'queued' : 'failed');
        await s.audit.record({ action: 'websource.sync', resource: { type: 'web_source', id: source.id }, newValues: { knowledgeBaseId: source.knowledgeBaseId, outcome: 'failed', code: error.code } });
        log.warn({ code: error.code, retry }, 'web source sync failed');
        if (retry) throw error;
        return;
      }

      const { applyErrors } = await applySyncResult(s, source, result);
      const counts = { added: result.counts.added, changed: result.counts.changed, removed: result.counts.removed, unchanged: result.counts.unchanged, errors: result.counts.errors + applyErrors };
      await prisma.webSource.updateMany({
        where: { id: source.id },
        data: {
          status: 'done',
          lastSyncFinishedAt: new Date(),
          lastAdded: counts.added,
          lastChanged: counts.changed,
          lastRemoved: counts.removed,
          lastUnchanged: counts.unchanged,
          lastErrors: counts.errors,
          lastError: errorSummary(result, applyErrors),
        },
      });
      await s.audit.record({
        action: 'websource.sync',
        resource: { type: 'web_source', id: source.id },
        newValues: { knowledgeBaseId: source.knowledgeBaseId, outcome: 'done', complete: result.complete, ...counts },
      });
      log.info({ ...counts, requested: result.counts.requested, complete: result.complete }, 'web source synced');
    },
    isRetryable: (error) => !isWebSourceError(error) || transientCodes.has(error.code),
    async onFailed(payload, error) {
      const parsed = Payload.safeParse(payload);
      if (parsed.success) await finishFailed(parsed.data.webSourceId, `Sync failed: ${((error as Error)?.message ?? String(error)).slice(0, 300)}`, 'failed');
    },
  };
}

/**
 * Queues the sources whose schedule is due: synced (or failed) longer ago
 * than their interval, or never. Run by the worker every minute; the job key
 * keeps a slow sync from being queued again behind itself.
 */
export async function enqueueDueWebSources(s: Pick<Services, 'prisma' | 'jobs'>): Promise<number> {
  const due = await s.prisma.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM web_sources w
     WHERE schedule_minutes > 0 AND status IN ('done', 'failed')
       AND (last_sync_finished_at IS NULL OR last_sync_finished_at + make_interval(mins => schedule_minutes) <= now())
       AND EXISTS (SELECT 1 FROM knowledge_bases b WHERE b.id = w.knowledge_base_id AND b.deleted_at IS NULL)`;
  for (const { id } of due) {
    await s.prisma.$transaction(async (tx) => {
      await tx.webSource.update({ where: { id }, data: { status: 'queued' } });
      await enqueueWebSourceSync(s.jobs, id, tx);
    });
  }
  return due.length;
}

/** The worker's clock for scheduled syncs; returns a stop function. */
export function startWebSourceScheduler(s: Pick<Services, 'prisma' | 'jobs' | 'logger'>, intervalMs = 60_000): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    enqueueDueWebSources(s)
      .then((queued) => queued && s.logger.info({ queued }, 'scheduled web source syncs queued'))
      .catch((err: unknown) => s.logger.error({ err }, 'web source scheduler failed'))
      .finally(() => (running = false));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return () => clearInterval(timer);
}
