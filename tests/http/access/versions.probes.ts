import type { ProbeArea } from './probe.js';

// Choosing the version shown is the owner's, whatever the role: the
// conversation below is the actor's own, with one question answered twice.
export default {
  order: 41,
  async setup({ prisma, ids }) {
    const conversation = await prisma.conversation.create({ data: { userId: ids.self, assistantId: ids.assistant } });
    const question = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'Question', createdAt: new Date(Date.now() - 2000) } });
    const first = await prisma.message.create({ data: { conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'First', createdAt: new Date(Date.now() - 1000) } });
    await prisma.message.create({ data: { conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Second' } });
    return { versionedConversation: conversation.id, firstVersion: first.id };
  },
  probes: {
    'put /api/v1/conversations/{id}/branch': {
      path: (i) => `/api/v1/conversations/${i.versionedConversation}/branch`,
      body: (i) => ({ messageId: i.firstVersion }),
      expect: { user: 200, manager: 200, admin: 200 },
    },
  },
} satisfies ProbeArea;
