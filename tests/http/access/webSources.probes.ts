import type { ProbeArea } from './probe.js';

// Web sources of a knowledge base maintained by the group the actor manages:
// for the console's people who may manage the base (staff get 403).

const consoleOnly = (ok: number) => ({ user: 403, manager: ok, admin: ok });

export default {
  order: 26,
  async setup({ prisma, ids }) {
    const groups = { create: [{ groupId: ids.managedGroup }] };
    const base = await prisma.knowledgeBase.create({ data: { name: 'Intranet', maintainers: groups, readers: groups } });
    const source = await prisma.webSource.create({ data: { knowledgeBaseId: base.id, url: 'https://intranet.example.com/', mode: 'site', status: 'done' } });
    const doomed = await prisma.webSource.create({ data: { knowledgeBaseId: base.id, url: 'https://intranet.example.com/old', status: 'done' } });
    return { webBase: base.id, webSource: source.id, webSourceToDelete: doomed.id };
  },
  probes: {
    'get /api/v1/knowledge-bases/{id}/web-sources': { path: (i) => `/api/v1/knowledge-bases/${i.webBase}/web-sources`, expect: consoleOnly(200) },
    'post /api/v1/knowledge-bases/{id}/web-sources': {
      path: (i) => `/api/v1/knowledge-bases/${i.webBase}/web-sources`,
      body: () => ({ url: `https://intranet.example.com/probe-${Math.random().toString(36).slice(2)}`, mode: 'page', scheduleMinutes: 60 }),
      expect: consoleOnly(201),
    },
    'get /api/v1/knowledge-bases/{id}/web-sources/{sourceId}': { path: (i) => `/api/v1/knowledge-bases/${i.webBase}/web-sources/${i.webSource}`, expect: consoleOnly(200) },
    'patch /api/v1/knowledge-bases/{id}/web-sources/{sourceId}': {
      path: (i) => `/api/v1/knowledge-bases/${i.webBase}/web-sources/${i.webSource}`,
      body: () => ({ scheduleMinutes: 1440, maxPages: 50 }),
      expect: consoleOnly(200),
    },
    'post /api/v1/knowledge-bases/{id}/web-sources/{sourceId}/sync': { path: (i) => `/api/v1/knowledge-bases/${i.webBase}/web-sources/${i.webSource}/sync`, expect: consoleOnly(202) },
    'get /api/v1/knowledge-bases/{id}/web-sources/{sourceId}/pages': { path: (i) => `/api/v1/knowledge-bases/${i.webBase}/web-sources/${i.webSource}/pages`, expect: consoleOnly(200) },
    'delete /api/v1/knowledge-bases/{id}/web-sources/{sourceId}': { path: (i) => `/api/v1/knowledge-bases/${i.webBase}/web-sources/${i.webSourceToDelete}`, expect: consoleOnly(204) },
  },
} satisfies ProbeArea;
