import { z } from 'zod';
import { uploadResponse } from './uploadResponse.js';
import { assistantFor } from '../../../commands/assistants/assistantAccess.js';
import { ownKnowledgeBase, ownKnowledgeBaseForUpload } from '../../../commands/knowledgeBases/ownKnowledgeBase.js';
import { deleteKnowledgeFile, findKnowledgeFile, reindexKnowledgeFile } from '../../../commands/knowledge/manageKnowledgeFiles.js';
import { searchKnowledge } from '../../../commands/knowledge/searchKnowledge.js';
import { uploadKnowledgeFiles } from '../../../commands/knowledge/uploadKnowledgeFiles.js';
import { AppError } from '../../../errors/appError.js';
import { requestMeta, type Services } from '../../../services.js';
import { receiveFiles } from '../../middleware/receiveFiles.js';
import { KnowledgeFileView, presentKnowledgeFile } from '../../presenters/knowledgeFile.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams } from '../../schemas/common.js';

const FileParams = z.object({ id: z.uuid(), fileId: z.uuid() });
const MAX_FILES_PER_UPLOAD = 20;

export const UploadResult = z
  .object({
    files: z.array(KnowledgeFileView.extend({ duplicate: z.boolean() })),
    rejected: z.array(z.object({ name: z.string(), code: z.string(), reason: z.string() })),
  })
  .meta({ id: 'UploadResult' });

const SearchBody = z
  .object({ query: z.string().trim().min(1).max(2000), topK: z.number().int().min(1).max(50).optional() })
  .strict()
  .meta({ id: 'SearchRequest' });

const SearchResult = z
  .object({
    results: z.array(
      z.object({ fileId: z.uuid(), fileName: z.string(), page: z.number().int().nullable(), section: z.string().nullable(), text: z.string(), score: z.number() }),
    ),
  })
  .meta({ id: 'SearchResult' });

// The assistant's Knowledge tab from before knowledge bases, kept as a thin
// layer onto the assistant's own base (commands/knowledgeBases/ownKnowledgeBase.ts):
// the same files, reached through the assistant and its `assistant.manage` rule.
// Shared bases have their own routes under /knowledge-bases.
export function knowledgeRoutes(s: Services, routes: RouteBuilder): void {
  /** The own base's id, or "not found" for a file when the assistant has none yet. */
  const ownBaseId = async (assistantId: string) => {
    const base = await ownKnowledgeBase(s.prisma, assistantId);
    if (!base) throw AppError.notFound('File');
    return base.id;
  };

  routes.add({
    method: 'post',
    path: '/assistants/:id/files',
    summary: "Upload knowledge files into the assistant's own knowledge base (multipart field \"files\", several at once)",
    tags: ['knowledge'],
    params: IdParams,
    multipart: { field: 'files' },
    responses: { 201: { description: 'Accepted files (new or already present) and rejected ones', schema: UploadResult } },
    handler: async ({ actor, params, req, res }) => {
      const assistant = await assistantFor(s, actor, params.id, 'assistant.manage');
      const received = await receiveFiles(req, res, { dir: s.storage.incomingDir, field: 'files', maxBytes: s.config.maxUploadBytes, maxFiles: MAX_FILES_PER_UPLOAD });
      const ctx = { actor, meta: requestMeta(req) };
      const base = await ownKnowledgeBaseForUpload(s, ctx, assistant);
      const outcome = await uploadKnowledgeFiles(s, ctx, { knowledgeBaseId: base.id }, received);
      return uploadResponse(s, outcome);
    },
  });

  routes.add({
    method: 'get',
    path: '/assistants/:id/files',
    summary: "The files of the assistant's own knowledge base with status and progress",
    tags: ['knowledge'],
    params: IdParams,
    responses: { 200: { description: 'Files, newest first', schema: z.object({ data: z.array(KnowledgeFileView), total: z.number().int() }) } },
    handler: async ({ actor, params }) => {
      await assistantFor(s, actor, params.id, 'assistant.manage');
      const base = await ownKnowledgeBase(s.prisma, params.id);
      const rows = base ? await s.prisma.knowledgeFile.findMany({ where: { knowledgeBaseId: base.id }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] }) : [];
      return { body: { data: rows.map(presentKnowledgeFile), total: rows.length } };
    },
  });

  routes.add({
    method: 'get',
    path: '/assistants/:id/files/:fileId',
    summary: 'One knowledge file',
    tags: ['knowledge'],
    params: FileParams,
    responses: { 200: { description: 'The file', schema: KnowledgeFileView } },
    handler: async ({ actor, params }) => {
      await assistantFor(s, actor, params.id, 'assistant.manage');
      return { body: presentKnowledgeFile(await findKnowledgeFile(s, await ownBaseId(params.id), params.fileId)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/assistants/:id/files/:fileId/download',
    summary: 'Download the original file',
    tags: ['knowledge'],
    params: FileParams,
    responses: { 200: { description: 'The original bytes', schema: z.string().meta({ format: 'binary' }), contentType: 'application/octet-stream' } },
    handler: async ({ actor, params, res }) => {
      await assistantFor(s, actor, params.id, 'assistant.manage');
      const file = await findKnowledgeFile(s, await ownBaseId(params.id), params.fileId);
      // Always an attachment with its detected type, so nothing uploaded renders in our origin.
      res.setHeader('Content-Type', file.mimeType);
      res.attachment(file.originalName);
      res.sendFile(s.storage.resolve(file.storagePath), { dotfiles: 'allow' });
    },
  });

  routes.add({
    method: 'delete',
    path: '/assistants/:id/files/:fileId',
    summary: 'Delete a file, its chunks and its stored bytes',
    tags: ['knowledge'],
    params: FileParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await assistantFor(s, actor, params.id, 'assistant.manage');
      await deleteKnowledgeFile(s, { actor, meta: requestMeta(req) }, await ownBaseId(params.id), params.fileId);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post',
    path: '/assistants/:id/files/:fileId/reindex',
    summary: 'Process a file again',
    tags: ['knowledge'],
    params: FileParams,
    responses: { 202: { description: 'Queued', schema: KnowledgeFileView } },
    handler: async ({ actor, params, req }) => {
      await assistantFor(s, actor, params.id, 'assistant.manage');
      return { status: 202, body: presentKnowledgeFile(await reindexKnowledgeFile(s, { actor, meta: requestMeta(req) }, await ownBaseId(params.id), params.fileId)) };
    },
  });

  routes.add({
    method: 'post',
    path: '/assistants/:id/search',
    summary: 'The passages a question would retrieve (hybrid search), with scores and sources',
    tags: ['knowledge'],
    tokenScope: 'knowledge:read',
    params: IdParams,
    body: SearchBody,
    responses: { 200: { description: 'Passages, best first', schema: SearchResult } },
    handler: async ({ actor, params, body }) => ({ body: { results: await searchKnowledge(s, actor, { assistantId: params.id, query: body.query, topK: body.topK }) } }),
  });
}
