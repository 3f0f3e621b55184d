import { createPrompt, deletePrompt, listPrompts, updatePrompt, visiblePrompt } from '../../../commands/prompts/managePrompts.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams, pageBody, pageOf, pageWindow } from '../../schemas/common.js';
import { PromptCreate, PromptListQuery, PromptUpdate, PromptView, presentPrompt } from './prompts.schema.js';

// The prompt library: everyone keeps their own prompts; admins and managers
// publish prompts to groups (the chat app offers them on `/` in the composer).
export function promptRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/prompts',
    summary: 'Saved prompts: yours and those published to your groups (or, for the console, those you maintain); `q` searches titles and texts',
    tags: ['prompts'],
    query: PromptListQuery,
    responses: { 200: { description: 'A page of prompts, by title', schema: pageOf(PromptView, 'PromptPage') } },
    handler: async ({ actor, query }) => {
      const { rows, total } = await listPrompts(s, actor, { q: query.q, scope: query.scope, ...pageWindow(query) });
      return { body: pageBody(rows.map((p) => presentPrompt(p, actor)), total, query) };
    },
  });

  routes.add({
    method: 'post',
    path: '/prompts',
    summary: 'Save a prompt: personal, or published to groups',
    tags: ['prompts'],
    body: PromptCreate,
    responses: { 201: { description: 'Created', schema: PromptView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: presentPrompt(await createPrompt(s, { actor, meta: requestMeta(req) }, body), actor) }),
  });

  routes.add({
    method: 'get',
    path: '/prompts/:id',
    summary: 'One prompt you may use or maintain',
    tags: ['prompts'],
    params: IdParams,
    responses: { 200: { description: 'The prompt', schema: PromptView } },
    handler: async ({ actor, params }) => ({ body: presentPrompt(await visiblePrompt(s, actor, params.id), actor) }),
  });

  routes.add({
    method: 'patch',
    path: '/prompts/:id',
    summary: 'Change a prompt (its owner, or whoever may publish to all its groups)',
    tags: ['prompts'],
    params: IdParams,
    body: PromptUpdate,
    responses: { 200: { description: 'The prompt', schema: PromptView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentPrompt(await updatePrompt(s, { actor, meta: requestMeta(req) }, params.id, body), actor) }),
  });

  routes.add({
    method: 'delete',
    path: '/prompts/:id',
    summary: 'Delete a prompt (its owner, or whoever may publish to all its groups)',
    tags: ['prompts'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deletePrompt(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });
}
