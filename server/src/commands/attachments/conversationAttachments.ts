import type { ConversationAttachment } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { enqueueAttachmentIngestion } from '../../ingestion/ingestFileJob.js';
import { detectFileType, isExtractionError } from '../../ingestion/extract/index.js';
import { sha256OfFile } from '../../ingestion/upload/fileStorage.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { conversationToChatIn, ownConversation } from '../conversations/conversationAccess.js';
import { auditActor, type CommandContext } from '../context.js';
import type { IncomingFile } from '../knowledge/uploadKnowledgeFiles.js';

// Files and images a user attaches to one of their own conversations
// (docs/attachments.md). Everything here goes through ownConversation: anyone
// but the conversation's owner, admins included, gets "not found", so an
// attachment's existence is never revealed to them.

export interface AttachmentUploadOutcome {
  accepted: ConversationAttachment[];
  rejected: { name: string; code: string; reason: string }[];
}

const MB = 1024 * 1024;

/** The per-file limit a multipart upload is cut at: the attachment setting, never above the server's own. */
export async function attachmentByteLimit(s: Services): Promise<number> {
  const limits = await s.settings.get('attachments');
  return Math.min(limits.maxFileMb * MB, s.config.maxUploadBytes);
}

/**
 * Takes uploaded temporary files into a conversation the actor owns and may
 * still chat in, with an assistant that allows attachments. Each file is
 * checked like a knowledge file (type by its bytes) and against the per-file
 * and per-user limits, stored under a generated name and queued for the
 * knowledge pipeline in the same transaction as its row and its audit entry
 * (name and size, never content).
 */
export async function uploadAttachments(s: Services, ctx: CommandContext, conversationId: string, files: IncomingFile[]): Promise<AttachmentUploadOutcome> {
  const outcome: AttachmentUploadOutcome = { accepted: [], rejected: [] };
  try {
    const { conversation, assistant } = await conversationToChatIn(s, ctx.actor, conversationId);
    if (!assistant.attachmentsEnabled) throw AppError.forbidden('This assistant does not take attachments');
    const limits = await s.settings.get('attachments');
    const maxFile = Math.min(limits.maxFileMb * MB, s.config.maxUploadBytes);
    let used = await storageUsed(s, ctx.actor.id);
    for (const file of files) {
      const name = sanitiseName(file.originalName);
      try {
        if (file.size > maxFile) {
          outcome.rejected.push({ name, code: 'too_large', reason: `The file is larger than the attachment limit of ${Math.round(maxFile / MB)} MB` });
          continue;
        }
        if (used + file.size > limits.userStorageMb * MB) {
          outcome.rejected.push({ name, code: 'storage_full', reason: `Your attachments would exceed your storage limit of ${limits.userStorageMb} MB; delete some first` });
          continue;
        }
        const type = await detectFileType(file.path, { fileName: name });
        const sha256 = await sha256OfFile(file.path);
        // Stored under the conversation's id: deleting the conversation removes the folder's files.
        const storagePath = await s.storage.keep(file.path, conversation.id);
        try {
          const row = await s.prisma.$transaction(async (tx) => {
            const created = await tx.conversationAttachment.create({
              data: {
                conversationId: conversation.id,
                userId: conversation.userId,
                originalName: name,
                mimeType: type.mime,
                kind: type.kind === 'image' ? 'image' : 'document',
                sizeBytes: BigInt(file.size),
                sha256,
                storagePath,
              },
            });
            await enqueueAttachmentIngestion(s.jobs, created.id, tx);
            await s.audit.record(
              {
                actor: auditActor(ctx.actor),
                action: 'attachment.upload',
                resource: { type: 'conversation_attachment', id: created.id },
                newValues: { conversationId: conversation.id, name, mimeType: type.mime, sizeBytes: file.size },
                meta: ctx.meta,
              },
              tx,
            );
            return created;
          });
          used += file.size;
          outcome.accepted.push(row);
        } catch (error) {
          await s.storage.remove(storagePath);
          throw error;
        }
      } catch (error) {
        if (!isExtractionError(error)) throw error;
        outcome.rejected.push({ name, code: error.code, reason: error.message });
      }
    }
  } finally {
    // Whatever was not kept (refused, or after a failure) leaves the incoming folder.
    await Promise.all(files.map((f) => s.storage.discard(f.path)));
  }
  return outcome;
}

/** Bytes of every attachment the user keeps, across their conversations. */
async function storageUsed(s: Services, userId: string): Promise<number> {
  const sum = await s.prisma.conversationAttachment.aggregate({ where: { userId }, _sum: { sizeBytes: true } });
  return Number(sum._sum.sizeBytes ?? 0);
}

export async function listAttachments(s: Services, actor: Actor, conversationId: string): Promise<ConversationAttachment[]> {
  await ownConversation(s, actor, conversationId);
  return s.prisma.conversationAttachment.findMany({ where: { conversationId }, orderBy: { createdAt: 'asc' } });
}

/** One attachment of one of the actor's own conversations; anything else is "not found". */
export async function findAttachment(s: Services, actor: Actor, conversationId: string, attachmentId: string): Promise<ConversationAttachment> {
  await ownConversation(s, actor, conversationId);
  const attachment = await s.prisma.conversationAttachment.findFirst({ where: { id: attachmentId, conversationId } });
  if (!attachment) throw AppError.notFound('Attachment');
  return attachment;
}

/** Removes the row (its chunks go with it by cascade) and the stored bytes. */
export async function deleteAttachment(s: Services, ctx: CommandContext, conversationId: string, attachmentId: string): Promise<void> {
  const attachment = await findAttachment(s, ctx.actor, conversationId, attachmentId);
  await s.prisma.$transaction(async (tx) => {
    await tx.conversationAttachment.delete({ where: { id: attachment.id } });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'attachment.delete',
        resource: { type: 'conversation_attachment', id: attachment.id },
        oldValues: { conversationId, name: attachment.originalName, sizeBytes: Number(attachment.sizeBytes) },
        meta: ctx.meta,
      },
      tx,
    );
  });
  await s.storage.remove(attachment.storagePath);
}

/**
 * A conversation's attachments as the conversation is deleted: audited in
 * the same transaction as the delete (their rows and chunks go by cascade),
 * bytes removed by the caller once it committed.
 */
export async function auditAttachmentsGone(s: Services, ctx: CommandContext, attachments: ConversationAttachment[], tx: Parameters<Services['audit']['record']>[1]): Promise<void> {
  for (const attachment of attachments) {
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'attachment.delete',
        resource: { type: 'conversation_attachment', id: attachment.id },
        oldValues: { conversationId: attachment.conversationId, name: attachment.originalName, sizeBytes: Number(attachment.sizeBytes), reason: 'conversation deleted' },
        meta: ctx.meta,
      },
      tx,
    );
  }
}

/** Kept only for display and downloads: no path parts, no control characters, bounded length. */
function sanitiseName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean || 'unnamed';
}
