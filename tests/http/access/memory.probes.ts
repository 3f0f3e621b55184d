import type { ProbeArea } from './probe.js';

// Memory: everyone's own notes under /api/v1/me; no role reaches another
// user's (tests/chat/memory.test.ts). The actor has memory on, a kept memory,
// a proposal to keep and one to delete; delete-all runs last.
const everyone = (status: number) => ({ user: status, manager: status, admin: status });

export default {
  order: 46,
  async setup({ prisma, ids }) {
    await prisma.user.update({ where: { id: ids.self }, data: { memoryEnabled: true } });
    const memory = (text: string, status: 'kept' | 'proposed') => prisma.memory.create({ data: { userId: ids.self, text, status, origin: status === 'kept' ? 'manual' : 'proposed' } });
    const [kept, proposal, doomed] = await Promise.all([memory('Works in Berlin', 'kept'), memory('Leads Atlas', 'proposed'), memory('Likes tea', 'kept')]);
    return { memory: kept.id, proposal: proposal.id, doomedMemory: doomed.id };
  },
  probes: {
    'get /api/v1/me/memory': { path: () => '/api/v1/me/memory', expect: everyone(200) },
    'put /api/v1/me/memory': { path: () => '/api/v1/me/memory', body: () => ({ enabled: true }), expect: everyone(200) },
    'get /api/v1/me/memories': { path: () => '/api/v1/me/memories', expect: everyone(200) },
    'post /api/v1/me/memories': { path: () => '/api/v1/me/memories', body: () => ({ text: 'Prefers short answers' }), expect: everyone(201) },
    'get /api/v1/me/memories/export': { path: () => '/api/v1/me/memories/export?format=md', expect: everyone(200) },
    'get /api/v1/me/memories/{id}': { path: (i) => `/api/v1/me/memories/${i.memory}`, expect: everyone(200) },
    'patch /api/v1/me/memories/{id}': { path: (i) => `/api/v1/me/memories/${i.memory}`, body: () => ({ text: 'Works in Lisbon' }), expect: everyone(200) },
    'post /api/v1/me/memories/{id}/keep': { path: (i) => `/api/v1/me/memories/${i.proposal}/keep`, expect: everyone(200) },
    'delete /api/v1/me/memories/{id}': { path: (i) => `/api/v1/me/memories/${i.doomedMemory}`, expect: everyone(204) },
    'delete /api/v1/me/memories': { path: () => '/api/v1/me/memories', expect: everyone(200) },
  },
} satisfies ProbeArea;
