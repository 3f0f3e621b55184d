import { z } from 'zod';
import type { KnowledgeBaseRecord } from '../../commands/knowledgeBases/knowledgeBaseAccess.js';

export const KnowledgeBaseView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    tags: z.array(z.string()),
    language: z.string(),
    assistantId: z.uuid().nullable().describe('Set when this is one assistant’s own base (its Knowledge tab)'),
    maintainerGroupIds: z.array(z.uuid()),
    readerGroupIds: z.array(z.uuid()),
    fileCount: z.number().int(),
    assistantCount: z.number().int().describe('How many assistants search it'),
    can: z.object({ manage: z.boolean() }).describe('What the caller may do with this base'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'KnowledgeBase' });

export function presentKnowledgeBase(b: KnowledgeBaseRecord, may: { manage: boolean }): z.infer<typeof KnowledgeBaseView> {
  return {
    id: b.id,
    name: b.name,
    description: b.description,
    tags: b.tags,
    language: b.language,
    assistantId: b.assistantId,
    maintainerGroupIds: b.maintainers.map((g) => g.groupId).sort(),
    readerGroupIds: b.readers.map((g) => g.groupId).sort(),
    fileCount: b._count.files,
    assistantCount: b._count.attachments,
    can: may,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  };
}
