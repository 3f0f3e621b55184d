import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Prisma } from '../../db/generated/client.js';
import { enqueueIngestion } from '../../ingestion/ingestFileJob.js';
import type { Services } from '../../services.js';
import type { SyncedPage, SyncResult } from '../syncSource.js';
import { pageFileHash, pageFileName, pageMarkdown } from './pageDocument.js';

type Deps = Pick<Services, 'prisma' | 'storage' | 'jobs' | 'logger'>;

interface SourceRef {
  id: string;
  knowledgeBaseId: string;
  createdById: string | null;
}

const MARKDOWN_MIME = 'text/markdown';

/** Writes a page's text to the uploads folder the way an upload lands there; returns its storage path and file fields. */
async function storePage(deps: Deps, source: SourceRef, page: SyncedPage) {
  const bytes = Buffer.from(pageMarkdown(page), 'utf8');
  const temp = path.join(deps.storage.incomingDir, `web-${randomUUID()}`);
  await fs.writeFile(temp, bytes);
  const storagePath = await deps.storage.keep(temp, source.knowledgeBaseId);
  return {
    storagePath,
    file: {
      originalName: pageFileName(page),
      mimeType: MARKDOWN_MIME,
      sizeBytes: BigInt(bytes.byteLength),
      sha256: pageFileHash(source.id, page.url, bytes),
      storagePath,
    },
  };
}

function pageFields(page: SyncedPage) {
  return {
    title: page.title ?? null,
    kind: page.kind,
    etag: page.etag ?? null,
    lastModified: page.lastModified ?? null,
    contentHash: page.contentHash,
    links: page.links as Prisma.InputJsonValue,
    depth: page.depth,
    lastError: null,
    fetchedAt: new Date(),
  };
}

/**
 * Applies one sync's changes to the base, page by page, each in its own
 * transaction with its ingestion job: added pages become files, changed pages
 * get new bytes and are indexed again (the pipeline clears their old chunks),
 * removed pages lose their file and chunks, unchanged pages only their
 * validators. A page that fails to apply is recorded on its row and the rest
 * go on, as a page that fails to fetch does.
 */
export async function applySyncResult(deps: Deps, source: SourceRef, result: SyncResult): Promise<{ applyErrors: number }> {
  const { prisma, storage, jobs } = deps;
  let applyErrors = 0;
  const existing = new Map(
    (await prisma.webSourcePage.findMany({ where: { webSourceId: source.id }, include: { knowledgeFile: { select: { id: true, storagePath: true } } } })).map((p) => [p.url, p]),
  );

  for (const page of [...result.added, ...result.changed]) {
    let stored: Awaited<ReturnType<typeof storePage>> | undefined;
    try {
      stored = await storePage(deps, source, page);
      const { file } = stored;
      const previous = existing.get(page.url);
      const oldStoragePath = previous?.knowledgeFile?.storagePath;
      await prisma.$transaction(async (tx) => {
        let fileId: string;
        if (previous?.knowledgeFile) {
          fileId = previous.knowledgeFile.id;
          await tx.knowledgeFile.update({ where: { id: fileId }, data: { ...file, status: 'queued', progress: 0, error: null } });
        } else {
          fileId = (await tx.knowledgeFile.create({ data: { ...file, knowledgeBaseId: source.knowledgeBaseId, uploadedById: source.createdById } })).id;
        }
        await tx.webSourcePage.upsert({
          where: { webSourceId_url: { webSourceId: source.id, url: page.url } },
          create: { webSourceId: source.id, url: page.url, ...pageFields(page), knowledgeFileId: fileId },
          update: { ...pageFields(page), knowledgeFileId: fileId },
        });
        await enqueueIngestion(jobs, fileId, tx);
      });
      if (oldStoragePath) await storage.remove(oldStoragePath);
    } catch (error) {
      applyErrors++;
      if (stored) await storage.remove(stored.storagePath).catch(() => undefined);
      deps.logger.warn({ err: error, webSourceId: source.id, url: page.url }, 'web page could not be stored');
      await prisma.webSourcePage
        .updateMany({ where: { webSourceId: source.id, url: page.url }, data: { lastError: `The page could not be stored: ${(error as Error).message}`.slice(0, 1000) } })
        .catch(() => undefined);
    }
  }

  for (const page of result.unchanged) {
    await prisma.webSourcePage.updateMany({
      where: { webSourceId: source.id, url: page.url },
      data: {
        etag: page.etag ?? null,
        lastModified: page.lastModified ?? null,
        contentHash: page.contentHash,
        ...(page.links ? { links: page.links as Prisma.InputJsonValue } : {}),
        lastError: null,
        fetchedAt: new Date(),
      },
    });
  }

  for (const page of result.removed) {
    const previous = existing.get(page.url);
    if (!previous) continue;
    await prisma.$transaction(async (tx) => {
      await tx.webSourcePage.delete({ where: { id: previous.id } });
      // The file's chunks go with it (ON DELETE CASCADE).
      if (previous.knowledgeFile) await tx.knowledgeFile.deleteMany({ where: { id: previous.knowledgeFile.id } });
    });
    if (previous.knowledgeFile) await storage.remove(previous.knowledgeFile.storagePath);
  }

  for (const error of result.errors) {
    await prisma.webSourcePage.updateMany({
      where: { webSourceId: source.id, url: error.url },
      data: { lastError: `${error.message}`.slice(0, 1000) },
    });
  }
  return { applyErrors };
}
