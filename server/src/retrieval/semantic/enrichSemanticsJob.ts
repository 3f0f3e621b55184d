import type { PrismaClient } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { JobHandler } from '../../jobs/worker.js';
import type { Logger } from '../../lib/logger.js';
import type { EventBus } from '../../realtime/eventBus.js';
import type { SentenceEncoder } from './sentenceEncoder.js';
import { quantise, splitSentences } from './semanticVectors.js';
import { chunksWithoutSemantics, saveSemantics } from './semanticStore.js';

// Sentence vectors are made after a file is ready, not while it is ingested:
// the encoder costs ~30 ms a sentence, which would take ingestion far below
// its 50 pages a second. Files are searchable at once on the hashed vectors
// and full text, and ranked better once their chunks have sentence vectors.
//
// One chain of bounded jobs: each encodes chunks for at most `budgetMs`, then
// queues the next and frees the worker for ingestion in between. Two dedupe
// keys alternate, because a running job still holds its own key: at most one
// link of the chain is queued and one running, however often it is started.

export const ENRICH_SEMANTICS = 'retrieval.semantics';
const KEYS = ['semantics:a', 'semantics:b'] as const;
const BATCH = 16;

export function enqueueSemanticEnrichment(queue: JobQueue, key: (typeof KEYS)[number] = KEYS[0]): Promise<void> {
  return queue.enqueue(ENRICH_SEMANTICS, { key }, { dedupeKey: key, maxAttempts: 3 });
}

export function enrichSemanticsJob(
  s: { prisma: PrismaClient; jobs: JobQueue; logger: Logger },
  encoder: SentenceEncoder,
  options: { budgetMs?: number } = {},
): JobHandler {
  const budgetMs = options.budgetMs ?? 20_000;
  return {
    type: ENRICH_SEMANTICS,
    async run(payload, { signal }) {
      const key = (payload as { key?: string }).key === KEYS[1] ? KEYS[1] : KEYS[0];
      const started = Date.now();
      let encoded = 0;
      for (;;) {
        if (signal.aborted) return;
        if (Date.now() - started > budgetMs) {
          await enqueueSemanticEnrichment(s.jobs, key === KEYS[0] ? KEYS[1] : KEYS[0]);
          break;
        }
        const chunks = await chunksWithoutSemantics(s.prisma, encoder.name, BATCH);
        if (chunks.length === 0) break;
        const sentences = chunks.map((c) => splitSentences(c.text));
        const vectors = await encoder.encode([...chunks.map((c) => c.text), ...sentences.flat()]);
        let next = chunks.length;
        const rows = chunks.map((chunk, i) => {
          const own = vectors.slice(next, next + sentences[i]!.length);
          next += sentences[i]!.length;
          return { chunkId: chunk.id, vectors: { passage: quantise(vectors[i]!), sentences: own.map(quantise) } };
        });
        await saveSemantics(s.prisma, encoder.name, rows);
        encoded += chunks.length;
      }
      if (encoded > 0) s.logger.info({ chunks: encoded, ms: Date.now() - started, encoder: encoder.name }, 'sentence vectors stored');
    },
    isRetryable: () => true,
  };
}

/**
 * The enrichment job for a worker, when SEMANTIC_RERANK is on: queued at once
 * to catch up on chunks written before (an upgrade, or the switch just turned
 * on), and again whenever a file becomes ready.
 */
export async function semanticEnrichmentJobs(s: { prisma: PrismaClient; jobs: JobQueue; logger: Logger; events: EventBus; sentenceEncoder: SentenceEncoder | undefined }): Promise<JobHandler[]> {
  if (!s.sentenceEncoder) return [];
  await enqueueSemanticEnrichment(s.jobs);
  s.events.on('file.updated', ({ file }) => {
    if ((file as { status?: string }).status === 'ready') enqueueSemanticEnrichment(s.jobs).catch((err) => s.logger.warn({ err }, 'could not queue sentence vectors'));
  });
  return [enrichSemanticsJob(s, s.sentenceEncoder)];
}
