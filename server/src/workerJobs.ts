import type { JobHandler } from './jobs/worker.js';
import { proposeMemoriesJob } from './memory/proposeMemories.js';
import { semanticEnrichmentJobs } from './retrieval/semantic/enrichSemanticsJob.js';
import type { Services } from './services.js';
import { webSourceSyncJob } from './websources/knowledge/webSourceSyncJob.js';

/** The background jobs a worker runs beside knowledge-file ingestion, in the API process or alone. */
export async function workerJobs(services: Services): Promise<JobHandler[]> {
  return [proposeMemoriesJob(services), webSourceSyncJob(services), ...(await semanticEnrichmentJobs(services))];
}
