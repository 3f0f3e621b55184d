import { z } from 'zod';
import type { Prisma } from '../db/generated/client.js';
import type { JobHandler } from '../jobs/worker.js';
import type { JobQueue } from '../jobs/queue.js';
import { KnowledgePipeline, PermanentIngestionError, type IngestionTarget } from './pipeline.js';

export const INGEST_FILE = 'knowledge.ingest';
/** A conversation attachment through the same pipeline (docs/attachments.md). */
export const INGEST_ATTACHMENT = 'attachment.ingest';

const FilePayload = z.object({ fileId: z.uuid() });
const AttachmentPayload = z.object({ attachmentId: z.uuid() });

/** Queues a file for processing; at most one pending job per file. */
export function enqueueIngestion(queue: JobQueue, fileId: string, tx?: Prisma.TransactionClient): Promise<void> {
  return queue.enqueue(INGEST_FILE, { fileId }, { dedupeKey: `file:${fileId}`, maxAttempts: 3 }, tx);
}

/** Queues an attachment for processing; at most one pending job per attachment. */
export function enqueueAttachmentIngestion(queue: JobQueue, attachmentId: string, tx?: Prisma.TransactionClient): Promise<void> {
  return queue.enqueue(INGEST_ATTACHMENT, { attachmentId }, { dedupeKey: `attachment:${attachmentId}`, maxAttempts: 3 }, tx);
}

function ingestionJob(type: string, pipeline: KnowledgePipeline, targetOf: (payload: unknown) => IngestionTarget | null): JobHandler {
  return {
    type,
    async run(payload, { signal, attempt, lastAttempt }) {
      const target = targetOf(payload);
      if (!target) throw new PermanentIngestionError(`Malformed ${type} payload`);
      try {
        await pipeline.process(target, signal);
      } catch (error) {
        if (!lastAttempt && KnowledgePipeline.isRetryable(error) && !signal.aborted) await pipeline.markRetrying(target, error, attempt);
        throw error;
      }
    },
    isRetryable: KnowledgePipeline.isRetryable,
    async onFailed(payload, error) {
      const target = targetOf(payload);
      if (target) await pipeline.markFailed(target, error);
    },
  };
}

export function ingestFileJob(pipeline: KnowledgePipeline): JobHandler {
  return ingestionJob(INGEST_FILE, pipeline, (payload) => {
    const parsed = FilePayload.safeParse(payload);
    return parsed.success ? { kind: 'knowledge', id: parsed.data.fileId } : null;
  });
}

export function ingestAttachmentJob(pipeline: KnowledgePipeline): JobHandler {
  return ingestionJob(INGEST_ATTACHMENT, pipeline, (payload) => {
    const parsed = AttachmentPayload.safeParse(payload);
    return parsed.success ? { kind: 'attachment', id: parsed.data.attachmentId } : null;
  });
}
