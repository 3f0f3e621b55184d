import { AppError } from '../../errors/appError.js';
import { enqueueIngestion } from '../../ingestion/ingestFileJob.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

export async function findKnowledgeFile(s: Pick<Services, 'prisma'>, assistantId: string, fileId: string) {
  const file = await s.prisma.knowledgeFile.findFirst({ where: { id: fileId, assistantId } });
  if (!file) throw AppError.notFound('File');
  return file;
}

/** Deletes the row (its chunks go with it) and the stored bytes. */
export async function deleteKnowledgeFile(s: Services, ctx: CommandContext, assistantId: string, fileId: string): Promise<void> {
  const file = await findKnowledgeFile(s, assistantId, fileId);
  await s.prisma.$transaction(async (tx) => {
    await tx.knowledgeFile.delete({ where: { id: file.id } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'knowledge.delete',
        resource: { type: 'knowledge_file', id: file.id },
        oldValues: { assistantId, name: file.originalName, sha256: file.sha256, chunkCount: file.chunkCount },
        meta: ctx.meta,
      },
      tx,
    );
  });
  await s.storage.remove(file.storagePath);
}

/** Processes a file again (after a failure, or to pick up new chunking settings). */
export async function reindexKnowledgeFile(s: Services, ctx: CommandContext, assistantId: string, fileId: string) {
  const file = await findKnowledgeFile(s, assistantId, fileId);
  return s.prisma.$transaction(async (tx) => {
    const row = await tx.knowledgeFile.update({ where: { id: file.id }, data: { status: 'queued', progress: 0, error: null } });
    await enqueueIngestion(s.jobs, file.id, tx);
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'knowledge.reindex', resource: { type: 'knowledge_file', id: file.id }, meta: ctx.meta },
      tx,
    );
    return row;
  });
}
