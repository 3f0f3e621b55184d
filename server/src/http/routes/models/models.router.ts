import { z } from 'zod';
import { createModel, deleteModel, updateModel } from '../../../commands/models/manageModels.js';
import type { Prisma } from '../../../db/generated/client.js';
import { AppError } from '../../../errors/appError.js';
import { authorize, can } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { modelWithProvider, ModelView, presentModel } from '../../presenters/model.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams } from '../../schemas/common.js';
import { CreateModelBody, ModelListQuery, UpdateModelBody } from './models.schema.js';

export function modelRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/models',
    summary: 'The chat models you may use (enabled, of enabled providers); admins may ask for all with prices',
    tags: ['models'],
    query: ModelListQuery,
    responses: { 200: { description: 'Models by provider and name', schema: z.object({ data: z.array(ModelView) }).meta({ id: 'ModelList' }) } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'model.list');
      if (query.all) authorize(actor, 'model.manage');
      const where: Prisma.ModelWhereInput = {
        ...(query.all ? {} : { enabled: true, kind: 'chat', provider: { enabled: true } }),
        ...(query.providerId ? { providerId: query.providerId } : {}),
      };
      const rows = await s.prisma.model.findMany({ where, include: modelWithProvider, orderBy: [{ provider: { name: 'asc' } }, { name: 'asc' }, { id: 'asc' }] });
      const withPrices = can(actor, 'model.manage');
      return { body: { data: rows.map((m) => presentModel(m, withPrices)) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/models',
    summary: 'Add a model to a provider',
    tags: ['models'],
    body: CreateModelBody,
    responses: { 201: { description: 'Created', schema: ModelView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: presentModel(await createModel(s, { actor, meta: requestMeta(req) }, body), true) }),
  });

  routes.add({
    method: 'get',
    path: '/models/:id',
    summary: 'One model with its prices',
    tags: ['models'],
    params: IdParams,
    responses: { 200: { description: 'The model', schema: ModelView } },
    handler: async ({ actor, params }) => {
      authorize(actor, 'model.manage');
      const model = await s.prisma.model.findUnique({ where: { id: params.id }, include: modelWithProvider });
      if (!model) throw AppError.notFound('Model');
      return { body: presentModel(model, true) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/models/:id',
    summary: 'Edit a model: name, context window, prices, enabled',
    tags: ['models'],
    params: IdParams,
    body: UpdateModelBody,
    responses: { 200: { description: 'Updated', schema: ModelView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentModel(await updateModel(s, { actor, meta: requestMeta(req) }, params.id, body), true) }),
  });

  routes.add({
    method: 'delete',
    path: '/models/:id',
    summary: 'Delete a model (409 while assistants use it: give them another model or disable it instead)',
    tags: ['models'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteModel(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });
}
