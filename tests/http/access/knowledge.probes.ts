import type { ProbeArea } from './probe.js';

// Knowledge files and retrieval on the shared assistant (file upload uses the field `files`).
export default {
  order: 20,
  probes: {
    'post /api/v1/assistants/{id}/files': { path: (i) => `/api/v1/assistants/${i.assistant}/files`, upload: 'files', expect: { user: 403, manager: 201, admin: 201 } },
    'get /api/v1/assistants/{id}/files': { path: (i) => `/api/v1/assistants/${i.assistant}/files`, expect: { user: 403, manager: 200, admin: 200 } },
    'get /api/v1/assistants/{id}/files/{fileId}': { path: (i) => `/api/v1/assistants/${i.assistant}/files/${i.file}`, expect: { user: 403, manager: 200, admin: 200 } },
    'get /api/v1/assistants/{id}/files/{fileId}/download': { path: (i) => `/api/v1/assistants/${i.assistant}/files/${i.file}/download`, expect: { user: 403, manager: 200, admin: 200 } },
    'post /api/v1/assistants/{id}/files/{fileId}/reindex': { path: (i) => `/api/v1/assistants/${i.assistant}/files/${i.file}/reindex`, expect: { user: 403, manager: 202, admin: 202 } },
    'post /api/v1/assistants/{id}/search': { path: (i) => `/api/v1/assistants/${i.assistant}/search`, body: () => ({ query: 'anything' }), expect: { user: 200, manager: 200, admin: 200 } },
    'delete /api/v1/assistants/{id}/files/{fileId}': { path: (i) => `/api/v1/assistants/${i.assistant}/files/${i.file}`, expect: { user: 403, manager: 204, admin: 204 } },
  },
} satisfies ProbeArea;
