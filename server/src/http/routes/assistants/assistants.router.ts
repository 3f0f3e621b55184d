import { z } from 'zod';
import { assistantFor } from '../../../commands/assistants/assistantAccess.js';
import { createAssistant } from '../../../commands/assistants/createAssistant.js';
import { usableAssistants } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { AssistantView, presentAssistant } from '../../presenters/assistant.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams, listQuery, pageBody, pageOf, pageWindow } from '../../schemas/common.js';

const AssistantBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    instructions: z.string().max(20_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(200_000).optional(),
    groupIds: z.array(z.uuid()).max(100).optional(),
    topK: z.number().int().min(1).max(50).nullable().optional(),
    similarityThreshold: z.number().min(0).max(1).nullable().optional(),
    chunkSize: z.number().int().min(64).max(4096).nullable().optional(),
    chunkOverlap: z.number().int().min(0).max(1024).nullable().optional(),
    knowledgeOnly: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.chunkOverlap == null || b.chunkSize == null || b.chunkOverlap < b.chunkSize, { message: 'must be smaller than chunkSize', path: ['chunkOverlap'] })
  .meta({ id: 'AssistantCreate' });

const AssistantListQuery = listQuery(['createdAt', 'name'] as const, 'name');

export function assistantRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'post',
    path: '/assistants',
    summary: 'Create an assistant (admins, and managers for the groups they manage)',
    tags: ['assistants'],
    body: AssistantBody,
    responses: { 201: { description: 'Created', schema: AssistantView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: presentAssistant(await createAssistant(s, { actor, meta: requestMeta(req) }, body)) }),
  });

  routes.add({
    method: 'get',
    path: '/assistants',
    summary: 'The assistants you may use',
    tags: ['assistants'],
    query: AssistantListQuery,
    responses: { 200: { description: 'A page of assistants', schema: pageOf(AssistantView, 'AssistantPage') } },
    handler: async ({ actor, query }) => {
      const where = { AND: [usableAssistants(actor), query.q ? { name: { contains: query.q, mode: 'insensitive' as const } } : {}] };
      const [rows, total] = await Promise.all([
        s.prisma.assistant.findMany({ where, include: { groups: true }, orderBy: [{ [query.sort]: query.order }, { id: 'asc' }], ...pageWindow(query) }),
        s.prisma.assistant.count({ where }),
      ]);
      return { body: pageBody(rows.map(presentAssistant), total, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/assistants/:id',
    summary: 'One assistant',
    tags: ['assistants'],
    params: IdParams,
    responses: { 200: { description: 'The assistant', schema: AssistantView } },
    handler: async ({ actor, params }) => ({ body: presentAssistant(await assistantFor(s, actor, params.id, 'assistant.use')) }),
  });
}
