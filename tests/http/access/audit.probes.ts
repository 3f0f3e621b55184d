import { AuditLog } from '../../../server/src/governance/auditLog.js';
import type { ProbeArea } from './probe.js';

// The audit log: reading, verifying and exporting it is for admins only.
export default {
  order: 15,
  async setup({ prisma, role }) {
    await new AuditLog(prisma).record({ action: 'test.probe', newValues: { role } });
    const entry = await prisma.auditLog.findFirstOrThrow({ orderBy: { id: 'desc' }, select: { id: true } });
    return { auditEntry: entry.id.toString() };
  },
  probes: {
    'get /api/v1/audit': { path: () => '/api/v1/audit', expect: { user: 403, manager: 403, admin: 200 } },
    'get /api/v1/audit/verify': { path: () => '/api/v1/audit/verify', expect: { user: 403, manager: 403, admin: 200 } },
    'get /api/v1/audit/actions': { path: () => '/api/v1/audit/actions', expect: { user: 403, manager: 403, admin: 200 } },
    'get /api/v1/audit/export': { path: () => '/api/v1/audit/export?format=ndjson&action=auth.', expect: { user: 403, manager: 403, admin: 200 } },
    'get /api/v1/audit/{id}': { path: (i) => `/api/v1/audit/${i.auditEntry}`, expect: { user: 403, manager: 403, admin: 200 } },
  },
} satisfies ProbeArea;
