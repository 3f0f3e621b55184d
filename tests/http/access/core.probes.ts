import { uniqueEmail } from '../../support/factories.js';
import type { ProbeArea } from './probe.js';

// Users, groups, assistants and the caller's own profile.
export default {
  order: 10,
  probes: {
    'get /api/v1/me': { path: () => '/api/v1/me', expect: { user: 200, manager: 200, admin: 200 } },
    'patch /api/v1/me': { path: () => '/api/v1/me', body: () => ({ name: 'Renamed' }), expect: { user: 200, manager: 200, admin: 200 } },
    'get /api/v1/users': { path: () => '/api/v1/users', expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/users': { path: () => '/api/v1/users', body: () => ({ email: uniqueEmail(), name: 'New', role: 'user' }), expect: { user: 403, manager: 403, admin: 201 } },
    'get /api/v1/users/{id}': { path: (i) => `/api/v1/users/${i.other}`, expect: { user: 404, manager: 404, admin: 200 } },
    'patch /api/v1/users/{id}': { path: (i) => `/api/v1/users/${i.other}`, body: () => ({ name: 'Changed' }), expect: { user: 403, manager: 403, admin: 200 } },
    'post /api/v1/users/{id}/reset-password': { path: (i) => `/api/v1/users/${i.other}/reset-password`, body: () => ({}), expect: { user: 403, manager: 403, admin: 200 } },
    'get /api/v1/groups': { path: () => '/api/v1/groups', expect: { user: 403, manager: 200, admin: 200 } },
    'post /api/v1/groups': { path: () => '/api/v1/groups', body: () => ({ name: `g-${Math.random()}` }), expect: { user: 403, manager: 403, admin: 201 } },
    'get /api/v1/groups/{id}': { path: (i) => `/api/v1/groups/${i.otherGroup}`, expect: { user: 404, manager: 404, admin: 200 } },
    'patch /api/v1/groups/{id}': { path: (i) => `/api/v1/groups/${i.managedGroup}`, body: () => ({ description: 'x' }), expect: { user: 403, manager: 403, admin: 200 } },
    'put /api/v1/groups/{id}/members/{userId}': { path: (i) => `/api/v1/groups/${i.managedGroup}/members/${i.other}`, body: () => ({ role: 'member' }), expect: { user: 403, manager: 403, admin: 204 } },
    'delete /api/v1/groups/{id}/members/{userId}': { path: (i) => `/api/v1/groups/${i.managedGroup}/members/${i.member}`, expect: { user: 403, manager: 403, admin: 204 } },
    'post /api/v1/assistants': { path: () => '/api/v1/assistants', body: () => ({ name: 'Probe' }), expect: { user: 403, manager: 201, admin: 201 } },
    'get /api/v1/assistants': { path: () => '/api/v1/assistants', expect: { user: 200, manager: 200, admin: 200 } },
    'get /api/v1/assistants/{id}': { path: (i) => `/api/v1/assistants/${i.assistant}`, expect: { user: 200, manager: 200, admin: 200 } },
  },
} satisfies ProbeArea;
