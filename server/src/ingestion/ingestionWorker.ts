import { JobWorker, type JobHandler } from '../jobs/worker.js';
import type { Services } from '../services.js';
import { enqueueAttachmentIngestion, ingestAttachmentJob, ingestFileJob } from './ingestFileJob.js';
import { enqueueReembedding, reembedFileJob } from './reembedFileJob.js';

/**
 * The worker that processes knowledge files, in the API process or alone
 * (`npm run worker`), and the other background jobs it is given (memory
 * proposals). At start it queues every ready file indexed by another
 * embedder or dimension for re-embedding in place (reembedFileJob.ts): vectors
 * of two embedders are never compared, and the files stay searchable by
 * their words until each one's new vectors are complete.
 */
export async function startIngestionWorker(
  s: Services,
  options: { pollIntervalMs?: number; heartbeatMs?: number; staleAfterSeconds?: number; otherJobs?: JobHandler[] } = {},
): Promise<JobWorker> {
  const { otherJobs = [], ...workerOptions } = options;
  await s.storage.init();
  const stale = await s.prisma.knowledgeFile.findMany({
    where: { status: 'ready', NOT: { embedder: s.embedder.name, embeddingDim: s.embedder.dimension } },
    select: { id: true },
  });
  for (const file of stale) await enqueueReembedding(s.jobs, file.id);
  if (stale.length) s.logger.info({ files: stale.length, embedder: s.embedder.name }, 'embedder changed; files queued for re-embedding');
  // Attachments too: their searched passages are compared with the current embedder's vectors.
  const staleAttachments = await s.prisma.conversationAttachment.findMany({
    where: { status: 'ready', chunkCount: { gt: 0 }, NOT: { embedder: s.embedder.name, embeddingDim: s.embedder.dimension } },
    select: { id: true },
  });
  for (const attachment of staleAttachments) {
    await s.prisma.$transaction(async (tx) => {
      await tx.conversationAttachment.update({ where: { id: attachment.id }, data: { status: 'queued', progress: 0 } });
      await enqueueAttachmentIngestion(s.jobs, attachment.id, tx);
    });
  }

  const worker = new JobWorker(s.jobs, s.logger.child({ role: 'worker' }), [ingestFileJob(s.pipeline), ingestAttachmentJob(s.pipeline), reembedFileJob(s), ...otherJobs], {
    concurrency: s.config.worker.concurrency,
    ...workerOptions,
  });
  worker.start();
  return worker;
}
