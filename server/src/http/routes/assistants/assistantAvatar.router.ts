import fs from 'node:fs/promises';
import { z } from 'zod';
import { assistantFor } from '../../../commands/assistants/assistantAccess.js';
import { removeAssistantAvatar, setAssistantAvatar } from '../../../commands/assistants/assistantAvatar.js';
import { AVATAR_MAX_BYTES, avatarVersion } from '../../../commands/assistants/avatarImage.js';
import { AppError } from '../../../errors/appError.js';
import { requestMeta, type Services } from '../../../services.js';
import { matchesETag } from '../../conditional.js';
import { receiveFiles } from '../../middleware/receiveFiles.js';
import { AssistantView } from '../../presenters/assistant.js';
import type { RouteBuilder } from '../../route.js';
import { presentOneAssistant } from './presentAssistants.js';
import { IdParams } from '../../schemas/common.js';

export function assistantAvatarRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'put',
    path: '/assistants/:id/avatar',
    summary: 'Set the avatar (multipart field "avatar": PNG, JPEG, WebP or GIF up to 5 MB; stored as a 256×256 WebP)',
    tags: ['assistants'],
    params: IdParams,
    multipart: { field: 'avatar' },
    responses: { 200: { description: 'The assistant with its new avatarUrl', schema: AssistantView } },
    handler: async ({ actor, params, req, res }) => {
      // Refuse before reading any bytes from someone who may not change the assistant.
      await assistantFor(s, actor, params.id, 'assistant.manage');
      const [upload] = await receiveFiles(req, res, { dir: s.storage.incomingDir, field: 'avatar', maxBytes: AVATAR_MAX_BYTES, maxFiles: 1 });
      return { body: await presentOneAssistant(s, await setAssistantAvatar(s, { actor, meta: requestMeta(req) }, params.id, upload!.path), actor) };
    },
  });

  routes.add({
    method: 'delete',
    path: '/assistants/:id/avatar',
    summary: 'Remove the avatar',
    tags: ['assistants'],
    params: IdParams,
    responses: { 204: { description: 'Removed (or there was none)' } },
    handler: async ({ actor, params, req }) => {
      await removeAssistantAvatar(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/assistants/:id/avatar',
    summary: 'The avatar image (WebP)',
    tags: ['assistants'],
    params: IdParams,
    responses: {
      200: { description: 'The image', schema: z.string().meta({ format: 'binary' }), contentType: 'image/webp' },
      304: { description: 'Not modified (If-None-Match)' },
    },
    handler: async ({ actor, params, req, res }) => {
      const assistant = await assistantFor(s, actor, params.id, 'assistant.use');
      if (!assistant.avatarPath) throw AppError.notFound('Avatar');
      // Each avatar file has its own name and never changes, so its name is a strong validator.
      const headers = { ETag: `"${avatarVersion(assistant.avatarPath)}"`, 'Cache-Control': 'private, max-age=300' };
      if (matchesETag(req.get('if-none-match'), headers.ETag)) return { status: 304, headers };
      const image = await fs.readFile(s.storage.resolve(assistant.avatarPath)).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'ENOENT' ? AppError.notFound('Avatar') : error;
      });
      res.set(headers).type('image/webp').send(image);
    },
  });
}
