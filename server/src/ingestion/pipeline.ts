import type { PrismaClient } from '../db/database.js';
import type { FileStatus } from '../db/generated/enums.js';
import type { KnowledgeFile } from '../db/generated/client.js';
import { presentKnowledgeFile } from '../http/presenters/knowledgeFile.js';
import type { Logger } from '../lib/logger.js';
import type { EventBus } from '../realtime/eventBus.js';
import type { SystemSettings } from '../settings/systemSettings.js';
import { chunkSpans } from './chunk/chunkSpans.js';
import { chunkingFor } from './chunk/chunkingFor.js';
import type { Embedder } from './embed/index.js';
import { extractDocument, isExtractionError } from './extract/index.js';
import { clearFileChunks, insertChunks } from './index/chunkStore.js';
import type { FileStorage } from './upload/fileStorage.js';

export interface PipelineDeps {
  prisma: PrismaClient;
  storage: FileStorage;
  embedder: Embedder;
  events: EventBus;
  settings: Pick<SystemSettings, 'fresh'>;
  logger: Logger;
  extraction: { timeoutMs: number; maxMemoryMb: number };
}

/** A failure that another attempt cannot fix (a bad file, a deleted record). */
export class PermanentIngestionError extends Error {
  override readonly name = 'PermanentIngestionError';
}

// Chunks handed to the embedder at once: enough for an OpenAI-compatible
// embedder to keep several of its requests in flight (EMBEDDING_CONCURRENCY ×
// 64 texts), few enough that progress moves and memory stays small.
const EMBED_BATCH = 256;

/**
 * extract → chunk → embed → index for one file, reporting status and percent
 * on the file's row and as live events. Safe to run again on the same file
 * (after a crash or for a re-index): its chunks are cleared first, and the
 * file is only served once it is `ready`.
 */
export class KnowledgePipeline {
  constructor(private readonly deps: PipelineDeps) {}

  get embedder(): Embedder {
    return this.deps.embedder;
  }

  async process(fileId: string, signal: AbortSignal): Promise<void> {
    const { prisma, embedder } = this.deps;
    const file = await prisma.knowledgeFile.findUnique({ where: { id: fileId }, include: { knowledgeBase: { include: { assistant: true } } } });
    if (!file) throw new PermanentIngestionError('The file was deleted before it was processed');
    const log = this.deps.logger.child({ fileId, knowledgeBaseId: file.knowledgeBaseId });

    await this.update(fileId, { status: 'extracting', progress: 5, error: null });
    const extracted = await extractDocument(this.deps.storage.resolve(file.storagePath), {
      fileName: file.originalName,
      timeoutMs: this.deps.extraction.timeoutMs,
      maxMemoryMb: this.deps.extraction.maxMemoryMb,
      signal,
    });
    signal.throwIfAborted();

    await this.update(fileId, { status: 'chunking', progress: 25, pageCount: extracted.pages ?? null });
    // An assistant's own base is chunked with its override; shared bases with the RAG defaults.
    const chunking = chunkingFor(file.knowledgeBase.assistant ?? {}, await this.deps.settings.fresh('rag.defaults'));
    const chunks = await chunkSpans(extracted.spans, chunking);
    if (chunks.length === 0) throw new PermanentIngestionError('The file contains no text to index');

    await this.update(fileId, { status: 'embedding', progress: 30 });
    await clearFileChunks(prisma, fileId);
    let lastProgress = 30;
    for (let start = 0; start < chunks.length; start += EMBED_BATCH) {
      signal.throwIfAborted();
      const batch = chunks.slice(start, start + EMBED_BATCH);
      const vectors = await embedder.embed(batch.map((c) => (c.section ? `${c.section}\n${c.text}` : c.text)), 'document', signal);
      await insertChunks(prisma, file, embedder, batch.map((c, i) => ({ ...c, embedding: vectors[i]! })));
      const progress = 30 + Math.floor((65 * (start + batch.length)) / chunks.length);
      // Row writes and events at most every 5%, so big files do not flood either.
      if (progress - lastProgress >= 5) {
        lastProgress = progress;
        await this.update(fileId, { progress });
      }
    }

    await this.update(fileId, {
      status: 'ready',
      progress: 100,
      chunkCount: chunks.length,
      embedder: embedder.name,
      embeddingDim: embedder.dimension,
      chunkSize: chunking.chunkSize,
      chunkOverlap: chunking.chunkOverlap,
      processedAt: new Date(),
    });
    log.info({ pages: extracted.pages, chunks: chunks.length, kind: extracted.kind }, 'file indexed');
  }

  /** The reason a person reads in the console when a file ends as `failed`. */
  static reasonFor(error: unknown): string {
    if (isExtractionError(error) || error instanceof PermanentIngestionError) return error.message;
    const message = (error as Error)?.message ?? String(error);
    return `Processing failed: ${message.slice(0, 300)}`;
  }

  static isRetryable(error: unknown): boolean {
    return !(isExtractionError(error) || error instanceof PermanentIngestionError);
  }

  /** Partial chunks of a failed file are removed, so they never take places in candidate lists. */
  async markFailed(fileId: string, error: unknown): Promise<void> {
    await clearFileChunks(this.deps.prisma, fileId).catch(() => undefined);
    await this.update(fileId, { status: 'failed', error: KnowledgePipeline.reasonFor(error), chunkCount: 0 }).catch(() => undefined);
  }

  async markRetrying(fileId: string, error: unknown, attempt: number): Promise<void> {
    await this.update(fileId, { status: 'queued', progress: 0, error: `Attempt ${attempt} failed (${KnowledgePipeline.reasonFor(error)}); retrying` }).catch(() => undefined);
  }

  private async update(
    fileId: string,
    data: Partial<Pick<KnowledgeFile, 'progress' | 'error' | 'pageCount' | 'chunkCount' | 'embedder' | 'embeddingDim' | 'chunkSize' | 'chunkOverlap' | 'processedAt'>> & { status?: FileStatus },
  ): Promise<void> {
    const { count } = await this.deps.prisma.knowledgeFile.updateMany({ where: { id: fileId }, data });
    if (count === 0) throw new PermanentIngestionError('The file was deleted while it was processed');
    const file = await this.deps.prisma.knowledgeFile.findUnique({ where: { id: fileId }, include: { knowledgeBase: { select: { assistantId: true } } } });
    if (file) {
      await this.deps.events.publish('file.updated', { knowledgeBaseId: file.knowledgeBaseId, assistantId: file.knowledgeBase.assistantId, file: presentKnowledgeFile(file) });
    }
  }
}
