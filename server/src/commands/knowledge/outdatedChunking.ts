import { Prisma } from '../../db/generated/client.js';
import { enqueueIngestion } from '../../ingestion/ingestFileJob.js';
import { authorize } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

export interface OutdatedFile {
  id: string;
  name: string;
  knowledgeBaseId: string;
  knowledgeBaseName: string;
  /** The assistant whose own base holds the file (its chunking override applies); null for a shared base. */
  assistantId: string | null;
  assistantName: string | null;
  /** What the file was chunked with; null when unknown (indexed before it was recorded). */
  indexedWith: { chunkSize: number | null; chunkOverlap: number | null };
  /** What indexing it now would use: the own assistant's override, else the RAG defaults. */
  wouldUse: { chunkSize: number; chunkOverlap: number };
}

interface Row {
  id: string;
  name: string;
  knowledge_base_id: string;
  knowledge_base_name: string;
  assistant_id: string | null;
  assistant_name: string | null;
  chunk_size: number | null;
  chunk_overlap: number | null;
  want_size: number;
  want_overlap: number;
}

// Ready files of live bases whose recorded chunking differs from what
// indexing them now would use (an assistant's own base: its override). Files being processed will pick up the new
// values anyway; failed ones are retried by hand.
async function outdatedRows(db: Pick<Services['prisma'], '$queryRaw'>, defaults: { chunkSize: number; chunkOverlap: number }): Promise<Row[]> {
  return db.$queryRaw<Row[]>`
    SELECT f.id::text, f.original_name AS name, b.id::text AS knowledge_base_id, b.name AS knowledge_base_name,
           a.id::text AS assistant_id, a.name AS assistant_name, f.chunk_size, f.chunk_overlap,
           coalesce(a.chunk_size, ${defaults.chunkSize}::int) AS want_size, coalesce(a.chunk_overlap, ${defaults.chunkOverlap}::int) AS want_overlap
      FROM knowledge_files f JOIN knowledge_bases b ON b.id = f.knowledge_base_id LEFT JOIN assistants a ON a.id = b.assistant_id
     WHERE f.status = 'ready' AND b.deleted_at IS NULL AND (a.id IS NULL OR a.deleted_at IS NULL)
       AND (f.chunk_size, f.chunk_overlap) IS DISTINCT FROM (coalesce(a.chunk_size, ${defaults.chunkSize}::int), coalesce(a.chunk_overlap, ${defaults.chunkOverlap}::int))
     ORDER BY coalesce(a.name, b.name), f.original_name, f.id`;
}

/** Files that would be chunked differently if indexed now (after a change to the RAG defaults or an assistant's override). */
export async function listOutdatedChunking(s: Pick<Services, 'prisma' | 'settings'>, actor: Actor): Promise<OutdatedFile[]> {
  authorize(actor, 'settings.manage');
  const rows = await outdatedRows(s.prisma, await s.settings.fresh('rag.defaults'));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    knowledgeBaseId: r.knowledge_base_id,
    knowledgeBaseName: r.knowledge_base_name,
    assistantId: r.assistant_id,
    assistantName: r.assistant_name,
    indexedWith: { chunkSize: r.chunk_size, chunkOverlap: r.chunk_overlap },
    wouldUse: { chunkSize: Number(r.want_size), chunkOverlap: Number(r.want_overlap) },
  }));
}

/**
 * Queues every outdated file for re-indexing, in one transaction with one
 * audit entry. A file serves its old chunks no more once queued: it is
 * unavailable to retrieval until its new chunks are ready.
 */
export async function reindexOutdatedChunking(s: Services, ctx: CommandContext): Promise<{ queued: number }> {
  authorize(ctx.actor, 'settings.manage');
  const defaults = await s.settings.fresh('rag.defaults');
  return s.prisma.$transaction(async (tx) => {
    const rows = await outdatedRows(tx, defaults);
    if (rows.length === 0) return { queued: 0 };
    const ids = rows.map((r) => r.id);
    await tx.$executeRaw`UPDATE knowledge_files SET status = 'queued', progress = 0, error = NULL, updated_at = now() WHERE id IN (${Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`))})`;
    for (const id of ids) await enqueueIngestion(s.jobs, id, tx);
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'knowledge.reindex_outdated',
        resource: { type: 'setting', id: 'rag.defaults' },
        newValues: { files: ids.length, chunkSize: defaults.chunkSize, chunkOverlap: defaults.chunkOverlap },
        meta: ctx.meta,
      },
      tx,
    );
    return { queued: ids.length };
  });
}
