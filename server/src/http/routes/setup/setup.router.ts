import { z } from 'zod';
import { firstRunChecklist } from '../../../commands/setup/firstRunChecklist.js';
import { setEveryoneGroup } from '../../../commands/setup/everyoneGroup.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';

const EveryoneGroup = z.object({ id: z.uuid(), name: z.string(), joinByDefault: z.boolean() }).meta({ id: 'EveryoneGroup' });
const EveryoneBody = z.object({ joinByDefault: z.boolean() }).strict();

export const Checklist = z
  .object({
    steps: z.array(z.object({ id: z.enum(['provider', 'assistant', 'knowledge', 'shared', 'people']), title: z.string(), done: z.boolean(), link: z.string(), hint: z.string().optional() })),
    complete: z.boolean(),
    ollama: z.object({ url: z.string(), models: z.array(z.string()) }).nullable(),
    everyone: EveryoneGroup.nullable(),
  })
  .meta({ id: 'FirstRunChecklist' });

export function setupRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/setup/checklist',
    summary: "The first admin's setup steps, each ticked by what exists, with the console screen that does it",
    tags: ['setup'],
    responses: { 200: { description: 'The checklist', schema: Checklist } },
    handler: async ({ actor }) => ({ body: await firstRunChecklist(s, actor) }),
  });

  routes.add({
    method: 'put',
    path: '/setup/everyone',
    summary: 'Create the “Everyone” group (every active account joins) or switch whether new accounts join it',
    tags: ['setup'],
    body: EveryoneBody,
    responses: { 200: { description: 'The group', schema: EveryoneGroup } },
    handler: async ({ actor, body, req }) => ({ body: await setEveryoneGroup(s, { actor, meta: requestMeta(req) }, body.joinByDefault) }),
  });
}
