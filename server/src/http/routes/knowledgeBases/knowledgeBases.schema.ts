import { z } from 'zod';
import { listQuery } from '../../schemas/common.js';

export const Tag = z.string().trim().min(1).max(60);
export const Folder = z
  .string()
  .trim()
  .max(500)
  .transform((f) => f.split('/').map((part) => part.trim()).filter(Boolean).join('/'))
  .describe("Slash-separated path inside the base; '' is the top level");

/** Tags given in a query string: `tags=hr,policy`. */
const TagList = z
  .string()
  .max(2000)
  .transform((v) => [...new Set(v.split(',').map((t) => t.trim()).filter(Boolean))])
  .pipe(z.array(Tag).max(50));

export const KnowledgeBaseAttachmentInput = z
  .object({
    knowledgeBaseId: z.uuid(),
    tags: z.array(Tag).max(50).nullish().describe("Search only the base's files carrying one of these tags; empty, null or absent: all its files"),
  })
  .strict()
  .meta({ id: 'KnowledgeBaseAttachment' });

const KnowledgeBaseFields = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  tags: z.array(Tag).max(50),
  language: z
    .string()
    .trim()
    .min(1)
    .max(63)
    .describe('A Postgres text search configuration (english, german, french, spanish, italian, portuguese, dutch, simple ...); changing it re-parses the full text of its files (no re-embedding)'),
  maintainerGroupIds: z.array(z.uuid()).max(100).describe("Groups whose managers may manage the base and its files (replaces the set)"),
  readerGroupIds: z.array(z.uuid()).max(100).describe('Groups whose members may receive its passages (replaces the set)'),
});

export const CreateKnowledgeBaseBody = KnowledgeBaseFields.partial().required({ name: true }).strict().meta({ id: 'KnowledgeBaseCreate' });
export const UpdateKnowledgeBaseBody = KnowledgeBaseFields.partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'KnowledgeBaseUpdate' });

export const KnowledgeBaseListQuery = listQuery(['name', 'createdAt'] as const, 'name').extend({
  tag: Tag.optional().describe('Only bases carrying this tag'),
});

export const KnowledgeFileListQuery = z.object({
  tag: Tag.optional().describe('Only files carrying this tag'),
  folder: Folder.optional().describe('Only files in this folder or below it'),
  q: z.string().trim().max(200).optional().describe('Part of the file name'),
});

export const UploadQuery = z.object({
  folder: Folder.optional(),
  tags: TagList.optional().describe('Comma-separated tags for every uploaded file'),
});

export const UpdateKnowledgeFileBody = z
  .object({ folder: Folder, tags: z.array(Tag).max(50) })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'KnowledgeFileUpdate' });

export const AttachmentBody = z
  .object({ tags: z.array(Tag).max(50).optional().describe("Search only the base's files carrying one of these tags; empty or absent: all") })
  .strict()
  .meta({ id: 'KnowledgeBaseAttachmentUpdate' });

export const KnowledgeBaseParams = z.object({ id: z.uuid({ error: 'must be a UUID' }) });
export const KnowledgeBaseFileParams = z.object({ id: z.uuid(), fileId: z.uuid() });
export const AttachmentParams = z.object({ id: z.uuid(), knowledgeBaseId: z.uuid() });
