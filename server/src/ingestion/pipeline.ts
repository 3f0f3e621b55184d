import type { PrismaClient } from '../db/database.js';
import type { FileStatus } from '../db/generated/enums.js';
import { presentAttachment } from '../http/presenters/attachment.js';
import { presentKnowledgeFile } from '../http/presenters/knowledgeFile.js';
import type { Logger } from '../lib/logger.js';
import type { EventBus } from '../realtime/eventBus.js';
import type { SystemSettings } from '../settings/systemSettings.js';
import { chunkSpans, type ChunkingOptions } from './chunk/chunkSpans.js';
import { chunkingFor } from './chunk/chunkingFor.js';
import type { Embedder } from './embed/index.js';
import { extractDocument, isExtractionError } from './extract/index.js';
import type { ExtractionResult } from './extract/types.js';
import { clearAttachmentChunks, clearFileChunks, insertAttachmentChunks, insertChunks, type EmbeddedChunk } from './index/chunkStore.js';
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

/** What the pipeline processes: a knowledge file, or a file attached to a conversation (docs/attachments.md). */
export type IngestionTarget = { kind: 'knowledge'; id: string } | { kind: 'attachment'; id: string };

/** The fields a run writes on its target's row as it goes. */
type Progress = Partial<{
  status: FileStatus;
  progress: number;
  error: string | null;
  pageCount: number | null;
  chunkCount: number;
  tokenCount: number;
  embedder: string;
  embeddingDim: number;
  chunkSize: number;
  chunkOverlap: number;
  processedAt: Date;
}>;

/**
 * One target as the pipeline sees it: where its bytes are, how it is chunked,
 * and where its progress and chunks go. Everything else (extraction, chunking,
 * embedding, batching, failure handling) is the same for both kinds.
 */
interface Subject {
  storagePath: string;
  originalName: string;
  chunking: ChunkingOptions;
  /** An image attachment with no text is still useful (vision models look at it): it ends ready with no chunks. */
  emptyIsReady: boolean;
  update(data: Progress): Promise<void>;
  clearChunks(): Promise<void>;
  insertChunks(chunks: EmbeddedChunk[]): Promise<void>;
  log: Logger;
}

/**
 * extract → chunk → embed → index for one knowledge file or attachment,
 * reporting status and percent on its row and as live events. Safe to run
 * again on the same target (after a crash or for a re-index): its chunks are
 * cleared first, and it is only served once it is `ready`.
 */
export class KnowledgePipeline {
  constructor(private readonly deps: PipelineDeps) {}

  get embedder(): Embedder {
    return this.deps.embedder;
  }

  async process(target: string | IngestionTarget, signal: AbortSignal): Promise<void> {
    const { embedder } = this.deps;
    const subject = await this.subjectFor(asTarget(target));

    await subject.update({ status: 'extracting', progress: 5, error: null });
    let extracted: ExtractionResult;
    try {
      extracted = await extractDocument(this.deps.storage.resolve(subject.storagePath), {
        fileName: subject.originalName,
        timeoutMs: this.deps.extraction.timeoutMs,
        maxMemoryMb: this.deps.extraction.maxMemoryMb,
        signal,
      });
    } catch (error) {
      if (!(subject.emptyIsReady && isExtractionError(error) && error.code === 'empty')) throw error;
      extracted = { kind: 'image', mime: '', spans: [], warnings: [] };
    }
    signal.throwIfAborted();

    await subject.update({ status: 'chunking', progress: 25, pageCount: extracted.pages ?? null });
    const chunking = subject.chunking;
    const chunks = await chunkSpans(extracted.spans, chunking);
    if (chunks.length === 0 && !subject.emptyIsReady) throw new PermanentIngestionError('The file contains no text to index');

    await subject.update({ status: 'embedding', progress: 30 });
    await subject.clearChunks();
    let lastProgress = 30;
    for (let start = 0; start < chunks.length; start += EMBED_BATCH) {
      signal.throwIfAborted();
      const batch = chunks.slice(start, start + EMBED_BATCH);
      const vectors = await embedder.embed(batch.map((c) => (c.section ? `${c.section}\n${c.text}` : c.text)), 'document', signal);
      await subject.insertChunks(batch.map((c, i) => ({ ...c, embedding: vectors[i]! })));
      const progress = 30 + Math.floor((65 * (start + batch.length)) / chunks.length);
      // Row writes and events at most every 5%, so big files do not flood either.
      if (progress - lastProgress >= 5) {
        lastProgress = progress;
        await subject.update({ progress });
      }
    }

    await subject.update({
      status: 'ready',
      progress: 100,
      chunkCount: chunks.length,
      tokenCount: chunks.reduce((sum, c) => sum + c.tokenCount, 0),
      embedder: embedder.name,
      embeddingDim: embedder.dimension,
      chunkSize: chunking.chunkSize,
      chunkOverlap: chunking.chunkOverlap,
      processedAt: new Date(),
    });
    subject.log.info({ pages: extracted.pages, chunks: chunks.length, kind: extracted.kind }, 'file indexed');
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

  /** Partial chunks of a failed target are removed, so they never take places in candidate lists. */
  async markFailed(target: string | IngestionTarget, error: unknown): Promise<void> {
    const t = asTarget(target);
    await this.clearChunks(t).catch(() => undefined);
    await this.update(t, { status: 'failed', error: KnowledgePipeline.reasonFor(error), chunkCount: 0 }).catch(() => undefined);
  }

  async markRetrying(target: string | IngestionTarget, error: unknown, attempt: number): Promise<void> {
    await this.update(asTarget(target), { status: 'queued', progress: 0, error: `Attempt ${attempt} failed (${KnowledgePipeline.reasonFor(error)}); retrying` }).catch(() => undefined);
  }

  private async subjectFor(target: IngestionTarget): Promise<Subject> {
    const { prisma, embedder } = this.deps;
    const common = {
      update: (data: Progress) => this.update(target, data),
      clearChunks: () => this.clearChunks(target),
    };
    if (target.kind === 'knowledge') {
      const file = await prisma.knowledgeFile.findUnique({ where: { id: target.id }, include: { knowledgeBase: { include: { assistant: true } } } });
      if (!file) throw new PermanentIngestionError('The file was deleted before it was processed');
      return {
        ...common,
        storagePath: file.storagePath,
        originalName: file.originalName,
        // An assistant's own base is chunked with its override; shared bases with the RAG defaults.
        chunking: chunkingFor(file.knowledgeBase.assistant ?? {}, await this.deps.settings.fresh('rag.defaults')),
        emptyIsReady: false,
        insertChunks: (chunks) => insertChunks(prisma, file, embedder, chunks),
        log: this.deps.logger.child({ fileId: file.id, knowledgeBaseId: file.knowledgeBaseId }),
      };
    }
    const attachment = await prisma.conversationAttachment.findUnique({ where: { id: target.id } });
    if (!attachment) throw new PermanentIngestionError('The attachment was deleted before it was processed');
    return {
      ...common,
      storagePath: attachment.storagePath,
      originalName: attachment.originalName,
      chunking: chunkingFor({}, await this.deps.settings.fresh('rag.defaults')),
      emptyIsReady: attachment.kind === 'image',
      insertChunks: (chunks) => insertAttachmentChunks(prisma, attachment.id, embedder, chunks),
      log: this.deps.logger.child({ attachmentId: attachment.id, conversationId: attachment.conversationId }),
    };
  }

  private clearChunks(target: IngestionTarget): Promise<void> {
    return target.kind === 'knowledge' ? clearFileChunks(this.deps.prisma, target.id) : clearAttachmentChunks(this.deps.prisma, target.id);
  }

  private async update(target: IngestionTarget, data: Progress): Promise<void> {
    const { prisma, events } = this.deps;
    if (target.kind === 'attachment') {
      const { chunkSize: _size, chunkOverlap: _overlap, ...row } = data;
      const { count } = await prisma.conversationAttachment.updateMany({ where: { id: target.id }, data: row });
      if (count === 0) throw new PermanentIngestionError('The attachment was deleted while it was processed');
      const attachment = await prisma.conversationAttachment.findUnique({ where: { id: target.id } });
      if (attachment) await events.publish('attachment.updated', { userId: attachment.userId, conversationId: attachment.conversationId, attachment: presentAttachment(attachment) });
      return;
    }
    const { tokenCount: _tokens, ...row } = data;
    const { count } = await prisma.knowledgeFile.updateMany({ where: { id: target.id }, data: row });
    if (count === 0) throw new PermanentIngestionError('The file was deleted while it was processed');
    const file = await prisma.knowledgeFile.findUnique({ where: { id: target.id }, include: { knowledgeBase: { select: { assistantId: true } } } });
    if (file) {
      await events.publish('file.updated', { knowledgeBaseId: file.knowledgeBaseId, assistantId: file.knowledgeBase.assistantId, file: presentKnowledgeFile(file) });
    }
  }
}

// A bare id is a knowledge file: what jobs queued before attachments existed carry.
const asTarget = (target: string | IngestionTarget): IngestionTarget => (typeof target === 'string' ? { kind: 'knowledge', id: target } : target);
