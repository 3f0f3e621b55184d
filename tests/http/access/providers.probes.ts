import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbeArea } from './probe.js';

// Model providers, their API keys and models: admins only, except the list of
// usable models, which every signed-in user reads.

// A model listing endpoint for "test connection" and "remote models"; unref'd
// so it never keeps Jest running.
let endpoint: Promise<string> | undefined;
function modelEndpoint(): Promise<string> {
  endpoint ??= new Promise((resolve) => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'probe-model', object: 'model', created: 0, owned_by: 'probe' }] }));
    });
    server.unref();
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`));
  });
  return endpoint;
}

// Bodies are built without ids, so the current role's provider is kept here by setup.
let current = { provider: '' };
const suffix = () => randomBytes(4).toString('hex');
const fakeSealed = () => ({ ciphertext: randomBytes(8), iv: randomBytes(12), authTag: randomBytes(16), wrappedDataKey: randomBytes(61), masterKeyId: 'probe' });

export default {
  order: 30,
  async setup({ prisma }) {
    const baseUrl = await modelEndpoint();
    const provider = await prisma.provider.create({ data: { name: `probe-${suffix()}`, kind: 'openai_compatible', baseUrl } });
    // Keys are only re-sealed or deleted by the probes, never opened, so their bytes need not be real.
    const keyProvider = await prisma.provider.create({ data: { name: `probe-keys-${suffix()}`, kind: 'openai_compatible', baseUrl } });
    const key = await prisma.apiKey.create({ data: { providerId: keyProvider.id, hint: '…', ...fakeSealed() } });
    const spareKey = await prisma.apiKey.create({ data: { providerId: keyProvider.id, hint: '…', ...fakeSealed() } });
    const spareProvider = await prisma.provider.create({ data: { name: `probe-spare-${suffix()}`, kind: 'anthropic' } });
    const model = await prisma.model.create({ data: { providerId: provider.id, name: `probe-chat-${suffix()}` } });
    const spareModel = await prisma.model.create({ data: { providerId: provider.id, name: `probe-spare-${suffix()}` } });
    current = { provider: provider.id };
    return { provider: provider.id, keyProvider: keyProvider.id, key: key.id, spareKey: spareKey.id, spareProvider: spareProvider.id, model: model.id, spareModel: spareModel.id };
  },
  probes: {
    'get /api/v1/providers': { path: () => '/api/v1/providers', expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/providers': { path: () => '/api/v1/providers', body: () => ({ name: `new-${suffix()}`, kind: 'openai_compatible', baseUrl: 'http://127.0.0.1:9/v1' }), expect: { user: 403, manager: 403, admin: 201 } },
    'get /api/v1/providers/{id}': { path: (i) => `/api/v1/providers/${i.provider}`, expect: { user: 403, manager: 403, admin: 200 } },
    'patch /api/v1/providers/{id}': { path: (i) => `/api/v1/providers/${i.provider}`, body: () => ({ enabled: true, name: `renamed-${suffix()}` }), expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/providers/{id}/test': { path: (i) => `/api/v1/providers/${i.provider}/test`, body: () => ({}), expect: { user: 403, manager: 403, admin: 200 } },
    'get /api/v1/providers/{id}/remote-models': { path: (i) => `/api/v1/providers/${i.provider}/remote-models`, expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/providers/{id}/keys': { path: (i) => `/api/v1/providers/${i.provider}/keys`, body: () => ({ apiKey: `sk-probe-${suffix()}${suffix()}` }), expect: { user: 403, manager: 403, admin: 201 } },
    'patch /api/v1/providers/{id}/keys/{keyId}': { path: (i) => `/api/v1/providers/${i.keyProvider}/keys/${i.key}`, body: () => ({ label: 'relabelled' }), expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/providers/{id}/keys/{keyId}/rotate': { path: (i) => `/api/v1/providers/${i.keyProvider}/keys/${i.key}/rotate`, body: () => ({ apiKey: `sk-rotated-${suffix()}${suffix()}` }), expect: { user: 403, manager: 403, admin: 200 } },
    'delete /api/v1/providers/{id}/keys/{keyId}': { path: (i) => `/api/v1/providers/${i.keyProvider}/keys/${i.spareKey}`, expect: { user: 403, manager: 403, admin: 204 } },
    'delete /api/v1/providers/{id}': { path: (i) => `/api/v1/providers/${i.spareProvider}`, expect: { user: 403, manager: 403, admin: 204 } },
    'get /api/v1/models': { path: () => '/api/v1/models', expect: { user: 200, manager: 200, admin: 200 } },
    'post /api/v1/models': { path: () => '/api/v1/models', body: () => ({ providerId: current.provider, name: `new-${suffix()}`, inputPricePerMTok: 1.25 }), expect: { user: 403, manager: 403, admin: 201 } },
    'get /api/v1/models/{id}': { path: (i) => `/api/v1/models/${i.model}`, expect: { user: 403, manager: 403, admin: 200 } },
    'patch /api/v1/models/{id}': { path: (i) => `/api/v1/models/${i.model}`, body: () => ({ contextWindow: 16000 }), expect: { user: 403, manager: 403, admin: 200 } },
    'delete /api/v1/models/{id}': { path: (i) => `/api/v1/models/${i.spareModel}`, expect: { user: 403, manager: 403, admin: 204 } },
  },
} satisfies ProbeArea;
