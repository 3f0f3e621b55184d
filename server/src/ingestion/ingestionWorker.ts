import { JobWorker, type JobHandler } from '../jobs/worker.js';
import type { Services } from '../services.js';
import { enqueueIngestion, ingestAttachmentJob, ingestFileJob } from './ingestFileJob.js';

/**
 * The worker that processes knowledge files, in the API process or alone
 * (`npm run worker`), and the other background jobs it is given (memory
 * proposals). At start it queues every ready file indexed by another
 * embedder or dimension, so vectors of two embedders are never mixed.
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
  for (const file of stale) {
    await s.prisma.$transaction(async (tx) => {
      await tx.knowledgeFile.update({ where: { id: file.id }, data: { status: 'queued', progress: 0 } });
      await enqueueIngestion(s.jobs, file.id, tx);
    });
  }
  if (stale.length) s.logger.info({ files: stale.length, embedder: s.embedder.name }, 'embedder changed; files queued for re-indexing');

  const worker = new JobWorker(s.jobs, s.logger.child({ role: 'worker' }), [ingestFileJob(s.pipeline), ingestAttachmentJob(s.pipeline), ...otherJobs], {
    concurrency: s.config.worker.concurrency,
    ...workerOptions,
  });
  worker.start();
  return worker;
}
