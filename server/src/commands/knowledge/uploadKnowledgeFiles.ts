import { enqueueIngestion } from '../../ingestion/ingestFileJob.js';
import { detectFileType, isExtractionError } from '../../ingestion/extract/index.js';
import { sha256OfFile } from '../../ingestion/upload/fileStorage.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

export interface IncomingFile {
  path: string;
  originalName: string;
  size: number;
}

export interface UploadOutcome {
  accepted: { fileId: string; duplicate: boolean }[];
  rejected: { name: string; code: string; reason: string }[];
}

/** Where uploaded files go: a knowledge base, and optionally a folder and tags for each of them. */
export interface UploadTarget {
  knowledgeBaseId: string;
  folder?: string;
  tags?: string[];
}

/**
 * Takes uploaded temporary files into a knowledge base: the type is read from
 * the bytes, identical content (SHA-256) already in the base is not stored or
 * processed again, and each new file is stored under a generated name and
 * queued for processing in the same transaction as its row. The caller has
 * authorised managing the base.
 */
export async function uploadKnowledgeFiles(s: Services, ctx: CommandContext, target: UploadTarget, files: IncomingFile[]): Promise<UploadOutcome> {
  const knowledgeBaseId = target.knowledgeBaseId;
  const outcome: UploadOutcome = { accepted: [], rejected: [] };
  for (const file of files) {
    const name = sanitiseName(file.originalName);
    try {
      const type = await detectFileType(file.path, { fileName: name });
      const sha256 = await sha256OfFile(file.path);
      const existing = await s.prisma.knowledgeFile.findUnique({ where: { knowledgeBaseId_sha256: { knowledgeBaseId, sha256 } } });
      if (existing) {
        outcome.accepted.push({ fileId: existing.id, duplicate: true });
        await s.storage.discard(file.path);
        continue;
      }
      const storagePath = await s.storage.keep(file.path, knowledgeBaseId);
      try {
        const row = await s.prisma.$transaction(async (tx) => {
          const created = await tx.knowledgeFile.create({
            data: {
              knowledgeBaseId,
              originalName: name,
              mimeType: type.mime,
              sizeBytes: BigInt(file.size),
              sha256,
              storagePath,
              uploadedById: ctx.actor.id,
              folder: target.folder ?? '',
              tags: [...new Set(target.tags ?? [])],
            },
          });
          await enqueueIngestion(s.jobs, created.id, tx);
          await s.audit.record(
            {
              actor: auditActor(ctx.actor),
              action: 'knowledge.upload',
              resource: { type: 'knowledge_file', id: created.id },
              newValues: { knowledgeBaseId, name, mimeType: type.mime, sizeBytes: file.size, sha256, folder: created.folder, tags: created.tags },
              meta: ctx.meta,
            },
            tx,
          );
          return created;
        });
        outcome.accepted.push({ fileId: row.id, duplicate: false });
      } catch (error) {
        await s.storage.remove(storagePath);
        // The same bytes uploaded twice at once: the other request won.
        if ((error as { code?: string }).code === 'P2002') {
          const winner = await s.prisma.knowledgeFile.findUniqueOrThrow({ where: { knowledgeBaseId_sha256: { knowledgeBaseId, sha256 } } });
          outcome.accepted.push({ fileId: winner.id, duplicate: true });
          continue;
        }
        throw error;
      }
    } catch (error) {
      await s.storage.discard(file.path);
      if (!isExtractionError(error)) throw error;
      outcome.rejected.push({ name, code: error.code, reason: error.message });
    }
  }
  return outcome;
}

/** Kept only for display and downloads: no path parts, no control characters, bounded length. */
function sanitiseName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean || 'unnamed';
}
