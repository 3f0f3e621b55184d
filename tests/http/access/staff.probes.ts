import type { ProbeArea } from './probe.js';

// Staff features: feedback on one's own answers (everyone), the feedback reports
// (admins; managers over the assistants they manage — ids.assistant is shared
// with the group the actor manages), and the prompt library (everyone keeps
// their own; publishing to a group needs the right to manage it).
const everyone = (status: number) => ({ user: status, manager: status, admin: status });
const reports = { user: 403, manager: 200, admin: 200 };

export default {
  order: 45,
  async setup({ prisma, ids }) {
    const conversation = await prisma.conversation.create({ data: { userId: ids.self, assistantId: ids.assistant } });
    const question = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'Question', createdAt: new Date(Date.now() - 1000) } });
    const answer = await prisma.message.create({ data: { conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Answer', retrievalPassages: 0 } });
    const prompt = await prisma.savedPrompt.create({ data: { ownerId: ids.self, title: 'Mine', text: 'Hello {{name}}' } });
    const doomed = await prisma.savedPrompt.create({ data: { ownerId: ids.self, title: 'Doomed', text: 'x' } });
    return { feedbackConversation: conversation.id, feedbackAnswer: answer.id, prompt: prompt.id, doomedPrompt: doomed.id };
  },
  probes: {
    'put /api/v1/conversations/{id}/messages/{messageId}/feedback': {
      path: (i) => `/api/v1/conversations/${i.feedbackConversation}/messages/${i.feedbackAnswer}/feedback`,
      body: () => ({ rating: 'down', reasons: ['wrong'] }),
      expect: everyone(200),
    },
    'delete /api/v1/conversations/{id}/messages/{messageId}/feedback': {
      path: (i) => `/api/v1/conversations/${i.feedbackConversation}/messages/${i.feedbackAnswer}/feedback`,
      expect: everyone(204),
    },
    'get /api/v1/feedback/negative': { path: (i) => `/api/v1/feedback/negative?assistantId=${i.assistant}`, expect: reports },
    'get /api/v1/feedback/gaps': { path: (i) => `/api/v1/feedback/gaps?assistantId=${i.assistant}`, expect: reports },
    'get /api/v1/feedback/trend': { path: () => '/api/v1/feedback/trend', expect: reports },
    'get /api/v1/feedback/export.csv': { path: () => '/api/v1/feedback/export.csv?kind=gaps', expect: reports },
    'get /api/v1/prompts': { path: () => '/api/v1/prompts?scope=published', expect: reports },
    // Published to the group the actor manages: staff are only members of it.
    'post /api/v1/prompts': { path: () => '/api/v1/prompts', body: (i) => ({ title: 'Team prompt', text: 'Hi {{who}}', groupIds: [i.managedGroup] }), expect: { user: 403, manager: 201, admin: 201 } },
    'get /api/v1/prompts/{id}': { path: (i) => `/api/v1/prompts/${i.prompt}`, expect: everyone(200) },
    'patch /api/v1/prompts/{id}': { path: (i) => `/api/v1/prompts/${i.prompt}`, body: () => ({ title: 'Renamed' }), expect: everyone(200) },
    'delete /api/v1/prompts/{id}': { path: (i) => `/api/v1/prompts/${i.doomedPrompt}`, expect: everyone(204) },
  },
} satisfies ProbeArea;
