import { z } from 'zod';
import { attachmentByteLimit, deleteAttachment, findAttachment, listAttachments, uploadAttachments } from '../../../commands/attachments/conversationAttachments.js';
import { AppError } from '../../../errors/appError.js';
import { requestMeta, type Services } from '../../../services.js';
import { receiveFiles } from '../../middleware/receiveFiles.js';
import { AttachmentView, presentAttachment } from '../../presenters/attachment.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams } from '../../schemas/common.js';

const MAX_FILES_PER_UPLOAD = 10;
const AttachmentParams = z.object({ id: z.uuid(), attachmentId: z.uuid() });
const Rejected = z.object({ name: z.string(), code: z.string(), reason: z.string() });

// Attachments of one of your conversations (docs/attachments.md). A new chat
// creates its conversation first (POST /conversations), then uploads here.
// Only the conversation's owner reaches any of these; everyone else gets 404.
export function attachmentRoutes(s: Services, routes: RouteBuilder): void {
  const tags = ['conversations'];

  routes.add({
    method: 'post',
    path: '/conversations/:id/attachments',
    summary:
      'Attach files or images to one of your conversations (multipart field "files"). Each is read like a knowledge file; follow its progress in the list or the socket event attachment:updated.',
    tags,
    params: IdParams,
    multipart: { field: 'files' },
    responses: { 201: { description: 'Accepted attachments (being read) and refused files with the reason', schema: z.object({ attachments: z.array(AttachmentView), rejected: z.array(Rejected) }) } },
    handler: async ({ actor, params, req, res }) => {
      const received = await receiveFiles(req, res, { dir: s.storage.incomingDir, field: 'files', maxBytes: await attachmentByteLimit(s), maxFiles: MAX_FILES_PER_UPLOAD });
      const outcome = await uploadAttachments(s, { actor, meta: requestMeta(req) }, params.id, received);
      if (outcome.accepted.length === 0) {
        throw new AppError('validation_failed', outcome.rejected.map((r) => `${r.name}: ${r.reason}`).join('; '), { rejected: outcome.rejected });
      }
      return { status: 201, body: { attachments: outcome.accepted.map(presentAttachment), rejected: outcome.rejected } };
    },
  });

  routes.add({
    method: 'get',
    path: '/conversations/:id/attachments',
    summary: "A conversation's attachments with their state (reading, ready, failed and why)",
    tags,
    params: IdParams,
    responses: { 200: { description: 'Oldest first', schema: z.object({ data: z.array(AttachmentView), total: z.number().int() }) } },
    handler: async ({ actor, params }) => {
      const rows = await listAttachments(s, actor, params.id);
      return { body: { data: rows.map(presentAttachment), total: rows.length } };
    },
  });

  routes.add({
    method: 'get',
    path: '/conversations/:id/attachments/:attachmentId/download',
    summary: 'Download an attachment of one of your conversations',
    tags,
    params: AttachmentParams,
    responses: { 200: { description: 'The original bytes', schema: z.string().meta({ format: 'binary' }), contentType: 'application/octet-stream' } },
    handler: async ({ actor, params, res }) => {
      const attachment = await findAttachment(s, actor, params.id, params.attachmentId);
      // Always a download with its detected type, so nothing uploaded renders in our origin.
      res.setHeader('Content-Type', attachment.mimeType);
      res.attachment(attachment.originalName);
      res.sendFile(s.storage.resolve(attachment.storagePath), { dotfiles: 'allow' });
    },
  });

  routes.add({
    method: 'delete',
    path: '/conversations/:id/attachments/:attachmentId',
    summary: 'Remove an attachment: its passages and stored bytes',
    tags,
    params: AttachmentParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteAttachment(s, { actor, meta: requestMeta(req) }, params.id, params.attachmentId);
      return { status: 204 };
    },
  });
}
