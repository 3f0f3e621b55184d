import type { ProbeArea } from './probe.js';

// The OpenAI-compatible API: every signed-in user, on the assistants they may
// use. The chat probe asks conversations.probes' knowledge-only assistant,
// whose answer needs no model server.
const everyone = (status: number) => ({ user: status, manager: status, admin: status });

export default {
  order: 46,
  probes: {
    'get /api/openai/v1/models': { path: () => '/api/openai/v1/models', expect: everyone(200) },
    'get /api/openai/v1/models/{model}': { path: (i) => `/api/openai/v1/models/${i.chatAssistant}`, expect: everyone(200) },
    'post /api/openai/v1/chat/completions': {
      path: () => '/api/openai/v1/chat/completions',
      body: (i) => ({ model: i.chatAssistant, messages: [{ role: 'user', content: 'Anything?' }] }),
      expect: everyone(200),
    },
    'post /api/openai/v1/embeddings': { path: () => '/api/openai/v1/embeddings', body: () => ({ model: 'any', input: 'probe' }), expect: everyone(200) },
  },
} satisfies ProbeArea;
