import { z } from 'zod';
import type { Prisma } from '../db/generated/client.js';
import type { JobHandler } from '../jobs/worker.js';
import type { JobQueue } from '../jobs/queue.js';
import { KnowledgePipeline } from './pipeline.js';

export const INGEST_FILE = 'knowledge.ingest';

const Payload = z.object({ fileId: z.uuid() });

/** Queues a file for processing; at most one pending job per file. */
export function enqueueIngestion(queue: JobQueue, fileId: string, tx?: Prisma.TransactionClient): Promise<void> {
  return queue.enqueue(INGEST_FILE, { fileId }, { dedupeKey: `file:${fileId}`, maxAttempts: 3 }, tx);
}

export function ingestFileJob(pipeline: KnowledgePipeline): JobHandler {
  return {
    type: INGEST_FILE,
    async run(payload, { signal, attempt, lastAttempt }) {
      const { fileId } = Payload.parse(payload);
      try {
        await pipeline.process(fileId, signal);
      } catch (error) {
        if (!lastAttempt && KnowledgePipeline.isRetryable(error) && !signal.aborted) await pipeline.markRetrying(fileId, error, attempt);
        throw error;
      }
    },
    isRetryable: KnowledgePipeline.isRetryable,
    async onFailed(payload, error) {
      const parsed = Payload.safeParse(payload);
      if (parsed.success) await pipeline.markFailed(parsed.data.fileId, error);
    },
  };
}
