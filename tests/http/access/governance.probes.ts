import type { ProbeArea } from './probe.js';

// Quotas and their alerts (admins), usage reports (admins; managers over their groups) and the caller's own usage.
export default {
  order: 40,
  async setup({ prisma, ids }) {
    const quota = await prisma.quota.create({ data: { scope: 'user', scopeId: ids.other, tokensPerDay: 1000n } });
    const doomed = await prisma.quota.create({ data: { scope: 'user', scopeId: ids.member, requestsPerMinute: 10 } });
    return { quota: quota.id, doomedQuota: doomed.id };
  },
  probes: {
    'get /api/v1/quotas': { path: () => '/api/v1/quotas', expect: { user: 403, manager: 403, admin: 200 } },
    // Created once (only the admin may); a global quota this generous limits nobody.
    'post /api/v1/quotas': { path: () => '/api/v1/quotas', body: () => ({ scope: 'global', requestsPerHour: 1_000_000 }), expect: { user: 403, manager: 403, admin: 201 } },
    'get /api/v1/quotas/{id}': { path: (i) => `/api/v1/quotas/${i.quota}`, expect: { user: 403, manager: 403, admin: 200 } },
    'patch /api/v1/quotas/{id}': { path: (i) => `/api/v1/quotas/${i.quota}`, body: () => ({ alertThresholdPct: 90 }), expect: { user: 403, manager: 403, admin: 200 } },
    'delete /api/v1/quotas/{id}': { path: (i) => `/api/v1/quotas/${i.doomedQuota}`, expect: { user: 403, manager: 403, admin: 204 } },
    'get /api/v1/quota-alerts': { path: () => '/api/v1/quota-alerts', expect: { user: 403, manager: 403, admin: 200 } },
    'get /api/v1/me/usage': { path: () => '/api/v1/me/usage', expect: { user: 200, manager: 200, admin: 200 } },
    'get /api/v1/usage/summary': { path: () => '/api/v1/usage/summary?groupBy=group', expect: { user: 403, manager: 200, admin: 200 } },
    'get /api/v1/usage/timeseries': { path: () => '/api/v1/usage/timeseries?groupBy=assistant', expect: { user: 403, manager: 200, admin: 200 } },
    'get /api/v1/usage/top-users': { path: () => '/api/v1/usage/top-users', expect: { user: 403, manager: 200, admin: 200 } },
    'get /api/v1/usage/export.csv': { path: () => '/api/v1/usage/export.csv', expect: { user: 403, manager: 200, admin: 200 } },
  },
} satisfies ProbeArea;
