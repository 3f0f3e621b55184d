import type { ProbeArea } from './probe.js';

// Personal access tokens: everyone manages their own; only admins see and revoke everyone's.
const everyone = (status: number) => ({ user: status, manager: status, admin: status });
const adminOnly = (status: number) => ({ user: 403, manager: 403, admin: status });
const token = (userId: string, name: string) => ({
  data: { userId, name, lookup: crypto.randomUUID().replace(/-/g, '').slice(0, 16), secretHash: '0'.repeat(64), scopes: ['chat'], expiresAt: new Date(Date.now() + 86_400_000) },
});

export default {
  order: 45,
  async setup({ prisma, ids }) {
    const own = await prisma.personalAccessToken.create(token(ids.self, 'own'));
    const others = await prisma.personalAccessToken.create(token(ids.other, 'other'));
    return { ownToken: own.id, otherToken: others.id };
  },
  probes: {
    'post /api/v1/me/tokens': { path: () => '/api/v1/me/tokens', body: () => ({ name: 'probe' }), expect: everyone(201) },
    'get /api/v1/me/tokens': { path: () => '/api/v1/me/tokens', expect: everyone(200) },
    'delete /api/v1/me/tokens/{id}': { path: (i) => `/api/v1/me/tokens/${i.ownToken}`, expect: everyone(204) },
    'get /api/v1/tokens': { path: () => '/api/v1/tokens', expect: adminOnly(200) },
    'delete /api/v1/tokens/{id}': { path: (i) => `/api/v1/tokens/${i.otherToken}`, expect: adminOnly(204) },
  },
} satisfies ProbeArea;
