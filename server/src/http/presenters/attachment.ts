import { z } from 'zod';
import type { ConversationAttachment } from '../../db/generated/client.js';

export const AttachmentView = z
  .object({
    id: z.uuid(),
    conversationId: z.uuid(),
    name: z.string(),
    mimeType: z.string(),
    kind: z.enum(['document', 'image']),
    sizeBytes: z.number().int(),
    /** What the composer's chip shows: reading (queued or being processed), ready or failed (with `error`). "uploading" is the client's own state before this exists. */
    state: z.enum(['reading', 'ready', 'failed']),
    status: z.enum(['queued', 'extracting', 'chunking', 'embedding', 'ready', 'failed']),
    progress: z.number().int(),
    error: z.string().nullable(),
    pageCount: z.number().int().nullable(),
    chunkCount: z.number().int(),
    tokenCount: z.number().int(),
    createdAt: z.string(),
    processedAt: z.string().nullable(),
  })
  .meta({ id: 'Attachment' });

export type AttachmentViewValue = z.infer<typeof AttachmentView>;

/** Never exposes the storage path or the content hash. */
export function presentAttachment(a: ConversationAttachment): AttachmentViewValue {
  return {
    id: a.id,
    conversationId: a.conversationId,
    name: a.originalName,
    mimeType: a.mimeType,
    kind: a.kind,
    sizeBytes: Number(a.sizeBytes),
    state: a.status === 'ready' ? 'ready' : a.status === 'failed' ? 'failed' : 'reading',
    status: a.status,
    progress: a.progress,
    error: a.error,
    pageCount: a.pageCount,
    chunkCount: a.chunkCount,
    tokenCount: a.tokenCount,
    createdAt: a.createdAt.toISOString(),
    processedAt: a.processedAt?.toISOString() ?? null,
  };
}
