import { z } from 'zod';
import type { KnowledgeFile } from '../../db/generated/client.js';

export const KnowledgeFileView = z
  .object({
    id: z.uuid(),
    knowledgeBaseId: z.uuid(),
    name: z.string(),
    folder: z.string().describe("Slash-separated path inside the base; '' is the top level"),
    tags: z.array(z.string()),
    mimeType: z.string(),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    status: z.enum(['queued', 'extracting', 'chunking', 'embedding', 'ready', 'failed']),
    progress: z.number().int(),
    error: z.string().nullable(),
    pageCount: z.number().int().nullable(),
    chunkCount: z.number().int(),
    embedder: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    processedAt: z.string().nullable(),
  })
  .meta({ id: 'KnowledgeFile' });

/** Never exposes the storage path. */
export function presentKnowledgeFile(f: KnowledgeFile): z.infer<typeof KnowledgeFileView> {
  return {
    id: f.id,
    knowledgeBaseId: f.knowledgeBaseId,
    name: f.originalName,
    folder: f.folder,
    tags: f.tags,
    mimeType: f.mimeType,
    sizeBytes: Number(f.sizeBytes),
    sha256: f.sha256,
    status: f.status,
    progress: f.progress,
    error: f.error,
    pageCount: f.pageCount,
    chunkCount: f.chunkCount,
    embedder: f.embedder,
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
    processedAt: f.processedAt?.toISOString() ?? null,
  };
}
