import { z } from 'zod';
import { uploadResponse } from '../knowledge/uploadResponse.js';
import { setAssistantKnowledgeBase } from '../../../commands/knowledgeBases/attachKnowledgeBase.js';
import { knowledgeBaseFor, knowledgeLanguages, mayManage } from '../../../commands/knowledgeBases/knowledgeBaseAccess.js';
import { listKnowledgeBases, listKnowledgeFiles } from '../../../commands/knowledgeBases/listKnowledgeBases.js';
import { createKnowledgeBase, deleteKnowledgeBase, updateKnowledgeBase } from '../../../commands/knowledgeBases/manageKnowledgeBases.js';
import { deleteKnowledgeFile, findKnowledgeFile, reindexKnowledgeFile, updateKnowledgeFile } from '../../../commands/knowledge/manageKnowledgeFiles.js';
import { uploadKnowledgeFiles } from '../../../commands/knowledge/uploadKnowledgeFiles.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { receiveFiles } from '../../middleware/receiveFiles.js';
import { AssistantView } from '../../presenters/assistant.js';
import { presentOneAssistant } from '../assistants/presentAssistants.js';
import { KnowledgeBaseView, presentKnowledgeBase } from '../../presenters/knowledgeBase.js';
import { KnowledgeFileView, presentKnowledgeFile } from '../../presenters/knowledgeFile.js';
import type { RouteBuilder } from '../../route.js';
import { pageBody, pageOf } from '../../schemas/common.js';
import { UploadResult } from '../knowledge/knowledge.router.js';
import {
  AttachmentBody,
  AttachmentParams,
  CreateKnowledgeBaseBody,
  KnowledgeBaseFileParams,
  KnowledgeBaseListQuery,
  KnowledgeBaseParams,
  KnowledgeFileListQuery,
  UpdateKnowledgeBaseBody,
  UpdateKnowledgeFileBody,
  UploadQuery,
} from './knowledgeBases.schema.js';

const MAX_FILES_PER_UPLOAD = 20;

// Knowledge bases and their files (docs/knowledge-bases.md). Admins and
// managers only: a manager sees the bases they may read and changes those
// their groups maintain (or they created); staff reach knowledge only through
// the assistants they use.
export function knowledgeBaseRoutes(s: Services, routes: RouteBuilder): void {
  const tags = ['knowledge-bases'];

  routes.add({
    method: 'get',
    path: '/knowledge-bases',
    summary: 'Knowledge bases you may read, with whether you may manage each',
    tags,
    query: KnowledgeBaseListQuery,
    responses: { 200: { description: 'A page of bases', schema: pageOf(KnowledgeBaseView, 'KnowledgeBasePage') } },
    handler: async ({ actor, query }) => {
      const { rows, total } = await listKnowledgeBases(s, actor, query);
      return { body: pageBody(rows.map(({ row, manage }) => presentKnowledgeBase(row, { manage })), total, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/knowledge-bases/languages',
    summary: 'The full-text languages (text search configurations) a base may use',
    tags,
    responses: { 200: { description: 'Configuration names', schema: z.object({ data: z.array(z.string()) }).meta({ id: 'KnowledgeLanguages' }) } },
    handler: async ({ actor }) => {
      authorize(actor, 'console.open');
      return { body: { data: await knowledgeLanguages(s.prisma) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/knowledge-bases',
    summary: 'Create a knowledge base',
    tags,
    body: CreateKnowledgeBaseBody,
    responses: { 201: { description: 'Created', schema: KnowledgeBaseView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: presentKnowledgeBase(await createKnowledgeBase(s, { actor, meta: requestMeta(req) }, body), { manage: true }) }),
  });

  routes.add({
    method: 'get',
    path: '/knowledge-bases/:id',
    summary: 'One knowledge base',
    tags,
    params: KnowledgeBaseParams,
    responses: { 200: { description: 'The base', schema: KnowledgeBaseView } },
    handler: async ({ actor, params }) => ({ body: presentKnowledgeBase(await knowledgeBaseFor(s, actor, params.id, 'read'), { manage: await mayManage(s, actor, params.id) }) }),
  });

  routes.add({
    method: 'patch',
    path: '/knowledge-bases/:id',
    summary: 'Change a knowledge base (a new language re-parses its full text, without re-embedding)',
    tags,
    params: KnowledgeBaseParams,
    body: UpdateKnowledgeBaseBody,
    responses: { 200: { description: 'The base', schema: KnowledgeBaseView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentKnowledgeBase(await updateKnowledgeBase(s, { actor, meta: requestMeta(req) }, params.id, body), { manage: true }) }),
  });

  routes.add({
    method: 'delete',
    path: '/knowledge-bases/:id',
    summary: 'Delete a knowledge base (no assistant searches it any more)',
    tags,
    params: KnowledgeBaseParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteKnowledgeBase(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post',
    path: '/knowledge-bases/:id/files',
    summary: 'Upload files into a base (multipart field "files", several at once), optionally into a folder and with tags',
    tags,
    params: KnowledgeBaseParams,
    query: UploadQuery,
    multipart: { field: 'files' },
    responses: { 201: { description: 'Accepted files (new or already present) and rejected ones', schema: UploadResult } },
    handler: async ({ actor, params, query, req, res }) => {
      const base = await knowledgeBaseFor(s, actor, params.id, 'manage');
      const received = await receiveFiles(req, res, { dir: s.storage.incomingDir, field: 'files', maxBytes: s.config.maxUploadBytes, maxFiles: MAX_FILES_PER_UPLOAD });
      const outcome = await uploadKnowledgeFiles(s, { actor, meta: requestMeta(req) }, { knowledgeBaseId: base.id, folder: query.folder, tags: query.tags }, received);
      return uploadResponse(s, outcome);
    },
  });

  routes.add({
    method: 'get',
    path: '/knowledge-bases/:id/files',
    summary: "A base's files with status and progress, filtered by tag, folder or name",
    tags,
    params: KnowledgeBaseParams,
    query: KnowledgeFileListQuery,
    responses: { 200: { description: 'Files, newest first', schema: z.object({ data: z.array(KnowledgeFileView), total: z.number().int() }) } },
    handler: async ({ actor, params, query }) => {
      await knowledgeBaseFor(s, actor, params.id, 'read');
      const rows = await listKnowledgeFiles(s, params.id, query);
      return { body: { data: rows.map(presentKnowledgeFile), total: rows.length } };
    },
  });

  routes.add({
    method: 'get',
    path: '/knowledge-bases/:id/files/:fileId',
    summary: 'One file of a base',
    tags,
    params: KnowledgeBaseFileParams,
    responses: { 200: { description: 'The file', schema: KnowledgeFileView } },
    handler: async ({ actor, params }) => {
      await knowledgeBaseFor(s, actor, params.id, 'read');
      return { body: presentKnowledgeFile(await findKnowledgeFile(s, params.id, params.fileId)) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/knowledge-bases/:id/files/:fileId',
    summary: "Move a file to another folder or replace its tags",
    tags,
    params: KnowledgeBaseFileParams,
    body: UpdateKnowledgeFileBody,
    responses: { 200: { description: 'The file', schema: KnowledgeFileView } },
    handler: async ({ actor, params, body, req }) => {
      await knowledgeBaseFor(s, actor, params.id, 'manage');
      return { body: presentKnowledgeFile(await updateKnowledgeFile(s, { actor, meta: requestMeta(req) }, params.id, params.fileId, body)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/knowledge-bases/:id/files/:fileId/download',
    summary: 'Download the original file',
    tags,
    params: KnowledgeBaseFileParams,
    responses: { 200: { description: 'The original bytes', schema: z.string().meta({ format: 'binary' }), contentType: 'application/octet-stream' } },
    handler: async ({ actor, params, res }) => {
      await knowledgeBaseFor(s, actor, params.id, 'read');
      const file = await findKnowledgeFile(s, params.id, params.fileId);
      // Always an attachment with its detected type, so nothing uploaded renders in our origin.
      res.setHeader('Content-Type', file.mimeType);
      res.attachment(file.originalName);
      res.sendFile(s.storage.resolve(file.storagePath), { dotfiles: 'allow' });
    },
  });

  routes.add({
    method: 'delete',
    path: '/knowledge-bases/:id/files/:fileId',
    summary: 'Delete a file, its chunks and its stored bytes',
    tags,
    params: KnowledgeBaseFileParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await knowledgeBaseFor(s, actor, params.id, 'manage');
      await deleteKnowledgeFile(s, { actor, meta: requestMeta(req) }, params.id, params.fileId);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post',
    path: '/knowledge-bases/:id/files/:fileId/retry',
    summary: 'Process a file again (after a failure, or to apply new chunking)',
    tags,
    params: KnowledgeBaseFileParams,
    responses: { 202: { description: 'Queued', schema: KnowledgeFileView } },
    handler: async ({ actor, params, req }) => {
      await knowledgeBaseFor(s, actor, params.id, 'manage');
      return { status: 202, body: presentKnowledgeFile(await reindexKnowledgeFile(s, { actor, meta: requestMeta(req) }, params.id, params.fileId)) };
    },
  });

  routes.add({
    method: 'put',
    path: '/assistants/:id/knowledge-bases/:knowledgeBaseId',
    summary: 'Attach a knowledge base to an assistant, or change its tag filter',
    tags,
    params: AttachmentParams,
    body: AttachmentBody,
    responses: { 200: { description: 'The assistant', schema: AssistantView } },
    handler: async ({ actor, params, body, req }) => ({
      body: await presentOneAssistant(s, await setAssistantKnowledgeBase(s, { actor, meta: requestMeta(req) }, params.id, params.knowledgeBaseId, body.tags ?? []), actor),
    }),
  });

  routes.add({
    method: 'delete',
    path: '/assistants/:id/knowledge-bases/:knowledgeBaseId',
    summary: 'Detach a knowledge base from an assistant',
    tags,
    params: AttachmentParams,
    responses: { 204: { description: 'Detached (or was not attached)' } },
    handler: async ({ actor, params, req }) => {
      await setAssistantKnowledgeBase(s, { actor, meta: requestMeta(req) }, params.id, params.knowledgeBaseId, null);
      return { status: 204 };
    },
  });
}
