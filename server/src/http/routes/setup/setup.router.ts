import { z } from 'zod';
import { firstRunChecklist } from '../../../commands/setup/firstRunChecklist.js';
import type { Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';

const Checklist = z
  .object({
    steps: z.array(z.object({ id: z.enum(['provider', 'assistant', 'knowledge', 'shared', 'people']), title: z.string(), done: z.boolean(), link: z.string(), hint: z.string().optional() })),
    complete: z.boolean(),
    ollama: z.object({ url: z.string(), models: z.array(z.string()) }).nullable(),
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
}
