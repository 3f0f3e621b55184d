import { randomUUID } from 'node:crypto';
import type { ProbeArea } from './probe.js';

// MCP tool servers: admins only. The address is a closed port on loopback, so a test connection fails fast (and says so with 200).
export default {
  order: 45,
  async setup({ prisma }) {
    // Set up once per role against one database: names must not clash.
    const server = await prisma.toolServer.create({ data: { name: `Probe CRM ${randomUUID()}`, url: 'http://127.0.0.1:9/mcp' } });
    const doomed = await prisma.toolServer.create({ data: { name: `Probe doomed ${randomUUID()}`, url: 'http://127.0.0.1:9/mcp' } });
    return { toolServer: server.id, doomedToolServer: doomed.id };
  },
  probes: {
    'get /api/v1/tool-servers': { path: () => '/api/v1/tool-servers', expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/tool-servers': { path: () => '/api/v1/tool-servers', body: () => ({ name: `Probe new ${randomUUID()}`, url: 'http://127.0.0.1:9/mcp' }), expect: { user: 403, manager: 403, admin: 201 } },
    'get /api/v1/tool-servers/{id}': { path: (i) => `/api/v1/tool-servers/${i.toolServer}`, expect: { user: 403, manager: 403, admin: 200 } },
    'patch /api/v1/tool-servers/{id}': { path: (i) => `/api/v1/tool-servers/${i.toolServer}`, body: () => ({ enabled: false }), expect: { user: 403, manager: 403, admin: 200 } },
    'delete /api/v1/tool-servers/{id}': { path: (i) => `/api/v1/tool-servers/${i.doomedToolServer}`, expect: { user: 403, manager: 403, admin: 204 } },
    'post /api/v1/tool-servers/{id}/test': { path: (i) => `/api/v1/tool-servers/${i.toolServer}/test`, expect: { user: 403, manager: 403, admin: 200 } },
  },
} satisfies ProbeArea;
