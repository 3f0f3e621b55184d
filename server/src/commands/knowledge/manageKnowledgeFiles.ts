import { AppError } from '../../errors/appError.js';
import { enqueueIngestion } from '../../ingestion/ingestFileJob.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

// Files of one knowledge base; the caller has authorised managing the base.

export async function findKnowledgeFile(s: Pick<Services, 'prisma'>, knowledgeBaseId: string, fileId: string) {
  const file = await s.prisma.knowledgeFile.findFirst({ where: { id: fileId, knowledgeBaseId } });
  if (!file) throw AppError.notFound('File');
  return file;
}

/** Deletes the row (its chunks go with it) and the stored bytes. */
export async function deleteKnowledgeFile(s: Services, ctx: CommandContext, knowledgeBaseId: string, fileId: string): Promise<void> {
  const file = await findKnowledgeFile(s, knowledgeBaseId, fileId);
  await s.prisma.$transaction(async (tx) => {
    await tx.knowledgeFile.delete({ where: { id: file.id } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'knowledge.delete',
        resource: { type: 'knowledge_file', id: file.id },
        oldValues: { knowledgeBaseId, name: file.originalName, sha256: file.sha256, chunkCount: file.chunkCount },
        meta: ctx.meta,
      },
      tx,
    );
  });
  await s.storage.remove(file.storagePath);
}

/** Processes a file again (after a failure, or to pick up new chunking settings). */
export async function reindexKnowledgeFile(s: Services, ctx: CommandContext, knowledgeBaseId: string, fileId: string) {
  const file = await findKnowledgeFile(s, knowledgeBaseId, fileId);
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

/** Moves a file to another folder and/or replaces its tags; takes effect on the next search (no re-indexing). */
export async function updateKnowledgeFile(s: Services, ctx: CommandContext, knowledgeBaseId: string, fileId: string, input: { folder?: string; tags?: string[] }) {
  const file = await findKnowledgeFile(s, knowledgeBaseId, fileId);
  const tags = input.tags === undefined ? file.tags : [...new Set(input.tags)];
  const folder = input.folder ?? file.folder;
  if (folder === file.folder && JSON.stringify(tags) === JSON.stringify(file.tags)) return file;
  return s.prisma.$transaction(async (tx) => {
    const row = await tx.knowledgeFile.update({ where: { id: file.id }, data: { folder, tags } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'knowledge.update',
        resource: { type: 'knowledge_file', id: file.id },
        oldValues: { folder: file.folder, tags: file.tags },
        newValues: { folder: row.folder, tags: row.tags },
        meta: ctx.meta,
      },
      tx,
    );
    return row;
  });
}
