import { addApiKey, deleteApiKey, rotateApiKey, updateApiKey } from '../../../commands/providers/manageApiKeys.js';
import { requestMeta, type Services } from '../../../services.js';
import { ApiKeyView, presentApiKey } from '../../presenters/provider.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams } from '../../schemas/common.js';
import { CreateApiKeyBody, KeyParams, RotateApiKeyBody, UpdateApiKeyBody } from './providers.schema.js';

// A provider's API keys: written here, never read back (responses carry the hint).
export function apiKeyRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'post',
    path: '/providers/:id/keys',
    summary: 'Store an API key, encrypted (the response shows only its hint)',
    tags: ['providers'],
    params: IdParams,
    body: CreateApiKeyBody,
    responses: { 201: { description: 'Stored', schema: ApiKeyView } },
    handler: async ({ actor, params, body, req }) => ({ status: 201, body: presentApiKey(await addApiKey(s, { actor, meta: requestMeta(req) }, params.id, body)) }),
  });

  routes.add({
    method: 'patch',
    path: '/providers/:id/keys/:keyId',
    summary: 'Enable, disable or relabel a key',
    tags: ['providers'],
    params: KeyParams,
    body: UpdateApiKeyBody,
    responses: { 200: { description: 'Updated', schema: ApiKeyView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentApiKey(await updateApiKey(s, { actor, meta: requestMeta(req) }, params.id, params.keyId, body)) }),
  });

  routes.add({
    method: 'post',
    path: '/providers/:id/keys/:keyId/rotate',
    summary: 'Replace a key’s secret in place (new data key; rotatedAt set)',
    tags: ['providers'],
    params: KeyParams,
    body: RotateApiKeyBody,
    responses: { 200: { description: 'Rotated', schema: ApiKeyView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentApiKey(await rotateApiKey(s, { actor, meta: requestMeta(req) }, params.id, params.keyId, body)) }),
  });

  routes.add({
    method: 'delete',
    path: '/providers/:id/keys/:keyId',
    summary: 'Delete a key',
    tags: ['providers'],
    params: KeyParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteApiKey(s, { actor, meta: requestMeta(req) }, params.id, params.keyId);
      return { status: 204 };
    },
  });
}
