import { createProvider, deleteProvider, updateProvider } from '../../../commands/providers/manageProviders.js';
import { listRemoteModels, testProviderConnection } from '../../../commands/providers/probeProvider.js';
import { AppError } from '../../../errors/appError.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { presentProvider, providerWithKeys, ProviderView } from '../../presenters/provider.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams } from '../../schemas/common.js';
import { ConnectionCheckView, CreateProviderBody, RemoteModelsView, TestProviderBody, UpdateProviderBody } from './providers.schema.js';
import { apiKeyRoutes } from './apiKeys.router.js';

export function providerRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/providers',
    summary: 'Model providers with their keys (masked) and model counts',
    tags: ['providers'],
    responses: { 200: { description: 'Every provider, by name', schema: ProviderView.array() } },
    handler: async ({ actor }) => {
      authorize(actor, 'provider.manage');
      const rows = await s.prisma.provider.findMany({ include: providerWithKeys, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
      return { body: rows.map(presentProvider) };
    },
  });

  routes.add({
    method: 'post',
    path: '/providers',
    summary: 'Add a model provider (then add a key and models)',
    tags: ['providers'],
    body: CreateProviderBody,
    responses: { 201: { description: 'Created', schema: ProviderView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: presentProvider(await createProvider(s, { actor, meta: requestMeta(req) }, body)) }),
  });

  routes.add({
    method: 'get',
    path: '/providers/:id',
    summary: 'One provider',
    tags: ['providers'],
    params: IdParams,
    responses: { 200: { description: 'The provider', schema: ProviderView } },
    handler: async ({ actor, params }) => {
      authorize(actor, 'provider.manage');
      const provider = await s.prisma.provider.findUnique({ where: { id: params.id }, include: providerWithKeys });
      if (!provider) throw AppError.notFound('Provider');
      return { body: presentProvider(provider) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/providers/:id',
    summary: 'Rename, change kind or base URL, enable or disable',
    tags: ['providers'],
    params: IdParams,
    body: UpdateProviderBody,
    responses: { 200: { description: 'Updated', schema: ProviderView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentProvider(await updateProvider(s, { actor, meta: requestMeta(req) }, params.id, body)) }),
  });

  routes.add({
    method: 'delete',
    path: '/providers/:id',
    summary: 'Delete a provider with its keys and models (409 while assistants use its models)',
    tags: ['providers'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteProvider(s, { actor, meta: requestMeta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'post',
    path: '/providers/:id/test',
    summary: 'Test the connection: list the endpoint’s models with a key (audited as a key use)',
    tags: ['providers'],
    params: IdParams,
    body: TestProviderBody,
    responses: { 200: { description: 'How the call went; ok=false carries a readable error', schema: ConnectionCheckView } },
    handler: async ({ actor, params, body, req }) => ({ body: await testProviderConnection(s, { actor, meta: requestMeta(req) }, params.id, body.keyId) }),
  });

  routes.add({
    method: 'get',
    path: '/providers/:id/remote-models',
    summary: 'The model names the provider’s endpoint offers, to pick from',
    tags: ['providers'],
    params: IdParams,
    responses: { 200: { description: 'Model names', schema: RemoteModelsView } },
    handler: async ({ actor, params, req }) => ({ body: { data: await listRemoteModels(s, { actor, meta: requestMeta(req) }, params.id) } }),
  });

  apiKeyRoutes(s, routes);
}
