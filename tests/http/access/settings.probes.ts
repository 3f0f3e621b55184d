import type { ProbeArea } from './probe.js';

// System settings: managers read them, admins change them.
export default {
  probes: {
    'get /api/v1/settings': { path: () => '/api/v1/settings', expect: { user: 403, manager: 200, admin: 200 } },
    'get /api/v1/settings/{key}': { path: () => '/api/v1/settings/branding', expect: { user: 403, manager: 200, admin: 200 } },
    'put /api/v1/settings/{key}': {
      path: () => '/api/v1/settings/registration',
      body: () => ({ policy: 'invite' }),
      expect: { user: 403, manager: 403, admin: 200 },
    },
    'get /api/v1/settings/rag.defaults/outdated-files': {
      path: () => '/api/v1/settings/rag.defaults/outdated-files',
      expect: { user: 403, manager: 403, admin: 200 },
    },
    'post /api/v1/settings/rag.defaults/outdated-files/reindex': {
      path: () => '/api/v1/settings/rag.defaults/outdated-files/reindex',
      expect: { user: 403, manager: 403, admin: 202 },
    },
  },
} satisfies ProbeArea;
