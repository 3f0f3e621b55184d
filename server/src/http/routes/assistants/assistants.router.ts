import { assistantFor } from '../../../commands/assistants/assistantAccess.js';
import { createAssistant } from '../../../commands/assistants/createAssistant.js';
import { deleteAssistant, restoreAssistant } from '../../../commands/assistants/deleteAssistant.js';
import { listAssistants } from '../../../commands/assistants/listAssistants.js';
import { updateAssistant } from '../../../commands/assistants/updateAssistant.js';
import { requestMeta, type Services } from '../../../services.js';
import { AssistantView } from '../../presenters/assistant.js';
import type { RouteBuilder } from '../../route.js';
import { presentAssistants, presentOneAssistant } from './presentAssistants.js';
import { IdParams, pageBody, pageOf } from '../../schemas/common.js';
import { assistantAvatarRoutes } from './assistantAvatar.router.js';
import { AssistantListQuery, CreateAssistantBody, UpdateAssistantBody } from './assistants.schema.js';

export function assistantRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'post',
    path: '/assistants',
    summary: 'Create an assistant (admins, and managers for the groups they manage)',
    tags: ['assistants'],
    body: CreateAssistantBody,
    responses: { 201: { description: 'Created', schema: AssistantView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: await presentOneAssistant(s, await createAssistant(s, { actor, meta: requestMeta(req) }, body), actor) }),
  });

  routes.add({
    method: 'get',
    path: '/assistants',
    summary: 'The assistants you may use; with deleted=true, the deleted ones you may restore',
    tags: ['assistants'],
    tokenScope: 'chat',
    query: AssistantListQuery,
    responses: { 200: { description: 'A page of assistants', schema: pageOf(AssistantView, 'AssistantPage') } },
    handler: async ({ actor, query }) => {
      const { rows, total } = await listAssistants(s, actor, query);
      return { body: pageBody(await presentAssistants(s, rows, actor), total, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/assistants/:id',
    summary: 'One assistant',
    tags: ['assistants'],
    tokenScope: 'chat',
    params: IdParams,
    responses: { 200: { description: 'The assistant', schema: AssistantView } },
    handler: async ({ actor, params }) => ({ body: await presentOneAssistant(s, await assistantFor(s, actor, params.id, 'assistant.use'), actor) }),
  });

  routes.add({
    method: 'patch',
    path: '/assistants/:id',
    summary: 'Change settings, model and groups (managers: only groups they manage). A new chunk size applies to files indexed afterwards',
    tags: ['assistants'],
    params: IdParams,
    body: UpdateAssistantBody,
    responses: { 200: { description: 'Updated', schema: AssistantView } },
    handler: async ({ actor, params, body, req }) => ({ body: await presentOneAssistant(s, await updateAssistant(s, { actor, meta: requestMeta(req) }, params.id, body), actor) }),
  });

  routes.add({
    method: 'delete',
    path: '/assistants/:id',
    summary: 'Delete an assistant (soft: it can be restored)',
    tags: ['assistants'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteAssistant(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post',
    path: '/assistants/:id/restore',
    summary: 'Restore a deleted assistant',
    tags: ['assistants'],
    params: IdParams,
    responses: { 200: { description: 'Restored', schema: AssistantView } },
    handler: async ({ actor, params, req }) => ({ body: await presentOneAssistant(s, await restoreAssistant(s, { actor, meta: requestMeta(req) }, params.id), actor) }),
  });

  assistantAvatarRoutes(s, routes);
}
