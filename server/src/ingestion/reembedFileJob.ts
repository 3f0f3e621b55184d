import { z } from 'zod';
import type { PrismaClient } from '../db/database.js';
import type { JobHandler } from '../jobs/worker.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Logger } from '../lib/logger.js';
import type { Embedder } from './embed/index.js';
import { isEmbeddingError } from './embed/embeddingError.js';
import { vectorLiteral } from './index/chunkStore.js';

export const REEMBED_FILE = 'knowledge.reembed';

const Payload = z.object({ fileId: z.uuid() });
// Chunks embedded per call and rows written per statement.
const EMBED_BATCH = 256;
const UPDATE_BATCH = 200;

/** Queues a ready file whose vectors come from another embedder; at most one pending job per file. */
export function enqueueReembedding(queue: JobQueue, fileId: string): Promise<void> {
  return queue.enqueue(REEMBED_FILE, { fileId }, { dedupeKey: `reembed:${fileId}`, maxAttempts: 3 });
}

/**
 * Gives a ready file the current embedder's vectors without taking it out of
 * search: its chunks' stored text is embedded again (no extraction, no
 * chunking), and the new vectors replace the old ones in one transaction, so
 * the file flips from one embedder to the other at once. Meanwhile its chunks
 * are still found by the full-text leg (retrieval compares vectors only of the
 * current embedder), so a base being re-embedded answers from words rather
 * than going empty. A file re-ingested or deleted meanwhile is left alone.
 */
export function reembedFileJob(deps: { prisma: PrismaClient; embedder: Embedder; logger: Logger }): JobHandler {
  const { prisma, embedder } = deps;
  return {
    type: REEMBED_FILE,
    async run(payload, { signal }) {
      const { fileId } = Payload.parse(payload);
      const stale = (file: { status: string; embedder: string | null; embeddingDim: number | null } | null) =>
        file?.status === 'ready' && !(file.embedder === embedder.name && file.embeddingDim === embedder.dimension);
      if (!stale(await prisma.knowledgeFile.findUnique({ where: { id: fileId }, select: { status: true, embedder: true, embeddingDim: true } }))) return;

      const chunks = await prisma.chunk.findMany({ where: { fileId }, select: { id: true, text: true, section: true }, orderBy: { ordinal: 'asc' } });
      const vectors: number[][] = [];
      for (let start = 0; start < chunks.length; start += EMBED_BATCH) {
        signal.throwIfAborted();
        const batch = chunks.slice(start, start + EMBED_BATCH);
        // The same input the pipeline embedded: the section trail, then the text.
        vectors.push(...(await embedder.embed(batch.map((c) => (c.section ? `${c.section}\n${c.text}` : c.text)), 'document', signal)));
      }
      signal.throwIfAborted();

      await prisma.$transaction(
        async (tx) => {
          // Re-checked under the row lock: a re-index or delete since the read above wins.
          const [file] = await tx.$queryRawUnsafe<{ status: string; embedder: string | null; embedding_dim: number | null }[]>(
            `SELECT status::text AS status, embedder, embedding_dim FROM knowledge_files WHERE id = $1::uuid FOR UPDATE`,
            fileId,
          );
          if (!stale(file ? { status: file.status, embedder: file.embedder, embeddingDim: file.embedding_dim } : null)) return;
          const current = await tx.chunk.count({ where: { fileId } });
          if (current !== chunks.length) return;
          for (let start = 0; start < chunks.length; start += UPDATE_BATCH) {
            const params: unknown[] = [embedder.name, embedder.dimension];
            const rows = chunks.slice(start, start + UPDATE_BATCH).map((chunk, i) => {
              params.push(chunk.id.toString(), vectorLiteral(vectors[start + i]!));
              return `($${params.length - 1}::bigint, $${params.length}::vector)`;
            });
            await tx.$executeRawUnsafe(
              `UPDATE chunks c SET embedder = $1, embedding_dim = $2::int, embedding = r.embedding
                 FROM (VALUES ${rows.join(',')}) AS r(id, embedding) WHERE c.id = r.id`,
              ...params,
            );
          }
          await tx.knowledgeFile.update({ where: { id: fileId }, data: { embedder: embedder.name, embeddingDim: embedder.dimension } });
        },
        { timeout: 10 * 60_000 },
      );
      deps.logger.info({ fileId, chunks: chunks.length, embedder: embedder.name }, 'file re-embedded');
    },
    // A provider that refuses the input or is misconfigured will refuse it again; a bad payload stays bad.
    isRetryable: (error) => !(error instanceof z.ZodError) && !(isEmbeddingError(error) && ['rejected', 'invalid_config', 'dimension_mismatch'].includes(error.code)),
    async onFailed(payload, error) {
      // The file keeps its old vectors and stays searchable by its words; a re-index from the console starts over.
      deps.logger.warn({ payload, err: error }, 're-embedding failed; the file keeps its previous vectors');
    },
  };
}
