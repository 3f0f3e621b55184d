import { DEFAULT_PASSWORD } from '../../support/factories.js';
import type { ProbeArea } from './probe.js';

// Last: a group deletion, and the password change, which ends the session.
export default {
  order: 100,
  probes: {
    'delete /api/v1/groups/{id}': { path: (i) => `/api/v1/groups/${i.otherGroup}`, expect: { user: 403, manager: 403, admin: 204 } },
    'post /api/v1/me/password': { path: () => '/api/v1/me/password', body: () => ({ currentPassword: DEFAULT_PASSWORD, newPassword: 'another good secret 8' }), expect: { user: 200, manager: 200, admin: 200 } },
  },
} satisfies ProbeArea;
