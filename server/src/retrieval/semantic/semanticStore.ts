import type { PrismaClient } from '../../db/database.js';
import { packVectors, unpackVectors, type PassageVectors } from './semanticVectors.js';

// chunk_semantics: one row per chunk and sentence encoder, deleted with the
// chunk (the foreign key is in the migration). Only chunks indexed as English
// get one: the encoder was trained on English.

export const SEMANTIC_LANGUAGE = 'english';

/** Chunks of ready files that have no vectors from this encoder yet, oldest first. */
export function chunksWithoutSemantics(prisma: PrismaClient, model: string, limit: number): Promise<{ id: bigint; text: string }[]> {
  return prisma.$queryRawUnsafe<{ id: bigint; text: string }[]>(
    `SELECT c.id, c.text
       FROM chunks c JOIN knowledge_files f ON f.id = c.file_id
      WHERE f.status = 'ready' AND c.language = '${SEMANTIC_LANGUAGE}'::regconfig
        AND NOT EXISTS (SELECT 1 FROM chunk_semantics s WHERE s.chunk_id = c.id AND s.model = $1)
      ORDER BY c.id
      LIMIT $2`,
    model,
    limit,
  );
}

export async function saveSemantics(prisma: PrismaClient, model: string, rows: { chunkId: bigint; vectors: PassageVectors }[]): Promise<void> {
  if (rows.length === 0) return;
  // A chunk deleted meanwhile (its file re-indexed or removed) fails the foreign key; skip it rather than the batch.
  const existing = new Set(
    (await prisma.chunk.findMany({ where: { id: { in: rows.map((r) => r.chunkId) } }, select: { id: true } })).map((c) => c.id),
  );
  await prisma.chunkSemantics.createMany({
    data: rows
      .filter((r) => existing.has(r.chunkId))
      .map((r) => ({ chunkId: r.chunkId, model, dimension: r.vectors.passage.length, vectors: packVectors(r.vectors) })),
    skipDuplicates: true,
  });
}

export async function loadSemantics(prisma: PrismaClient, model: string, chunkIds: bigint[]): Promise<Map<string, PassageVectors>> {
  const rows = await prisma.chunkSemantics.findMany({ where: { chunkId: { in: chunkIds }, model }, select: { chunkId: true, dimension: true, vectors: true } });
  return new Map(rows.map((r) => [r.chunkId.toString(), unpackVectors(r.vectors, r.dimension)]));
}
