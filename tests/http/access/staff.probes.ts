import type { ProbeArea } from './probe.js';

// Staff features: feedback on one's own answers (everyone), the feedback reports
// (admins; managers over the assistants they manage — ids.assistant is shared
// with the group the actor manages).
const everyone = (status: number) => ({ user: status, manager: status, admin: status });
const reports = { user: 403, manager: 200, admin: 200 };

export default {
  order: 45,
  async setup({ prisma, ids }) {
    const conversation = await prisma.conversation.create({ data: { userId: ids.self, assistantId: ids.assistant } });
    const question = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'Question', createdAt: new Date(Date.now() - 1000) } });
    const answer = await prisma.message.create({ data: { conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Answer', retrievalPassages: 0 } });
    return { feedbackConversation: conversation.id, feedbackAnswer: answer.id };
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
  },
} satisfies ProbeArea;
