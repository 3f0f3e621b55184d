import type { ProbeArea } from './probe.js';

// Conversations are each user's own, whatever the role. The assistant answers
// only from knowledge and has none, so asking needs no model server: the
// answer is the "not in my knowledge files" reply.
const everyone = (status: number) => ({ user: status, manager: status, admin: status });

export default {
  order: 40,
  async setup({ prisma, ids }) {
    const provider = await prisma.provider.create({ data: { name: `Probe provider ${crypto.randomUUID()}`, kind: 'openai_compatible', baseUrl: 'http://127.0.0.1:9/v1' } });
    const model = await prisma.model.create({ data: { providerId: provider.id, name: 'probe-model' } });
    const assistant = await prisma.assistant.create({
      data: { name: 'Probe chat', knowledgeOnly: true, modelId: model.id, groups: { create: [{ groupId: ids.managedGroup }] } },
    });
    const conversation = await prisma.conversation.create({ data: { userId: ids.self, assistantId: assistant.id } });
    const question = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'Question', createdAt: new Date(Date.now() - 1000) } });
    const answer = await prisma.message.create({ data: { conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Answer' } });
    return { chatAssistant: assistant.id, conversation: conversation.id, question: question.id, answer: answer.id };
  },
  probes: {
    'post /api/v1/conversations': { path: () => '/api/v1/conversations', body: (i) => ({ assistantId: i.chatAssistant }), expect: everyone(201) },
    'get /api/v1/conversations': { path: () => '/api/v1/conversations', expect: everyone(200) },
    'get /api/v1/conversations/{id}': { path: (i) => `/api/v1/conversations/${i.conversation}`, expect: everyone(200) },
    'patch /api/v1/conversations/{id}': { path: (i) => `/api/v1/conversations/${i.conversation}`, body: () => ({ title: 'Renamed' }), expect: everyone(200) },
    'get /api/v1/conversations/{id}/export': { path: (i) => `/api/v1/conversations/${i.conversation}/export`, expect: everyone(200) },
    'post /api/v1/conversations/{id}/messages': { path: (i) => `/api/v1/conversations/${i.conversation}/messages`, body: () => ({ content: 'Anything?' }), expect: everyone(201) },
    'post /api/v1/conversations/{id}/messages/{messageId}/regenerate': { path: (i) => `/api/v1/conversations/${i.conversation}/messages/${i.answer}/regenerate`, expect: everyone(201) },
    'post /api/v1/conversations/{id}/messages/{messageId}/edit': { path: (i) => `/api/v1/conversations/${i.conversation}/messages/${i.question}/edit`, body: () => ({ content: 'Edited' }), expect: everyone(201) },
    'get /api/v1/conversations/{id}/messages/{messageId}/stream': { path: (i) => `/api/v1/conversations/${i.conversation}/messages/${i.answer}/stream`, expect: everyone(200) },
    // Owners reach the decision; nothing is waiting for one here, hence the conflict.
    'post /api/v1/conversations/{id}/messages/{messageId}/tool-approvals/{callId}': {
      path: (i) => `/api/v1/conversations/${i.conversation}/messages/${i.answer}/tool-approvals/call_1`,
      body: () => ({ allow: true }),
      expect: everyone(409),
    },
    'post /api/v1/conversations/{id}/stop': { path: (i) => `/api/v1/conversations/${i.conversation}/stop`, expect: everyone(200) },
    'delete /api/v1/conversations/{id}': { path: (i) => `/api/v1/conversations/${i.conversation}`, expect: everyone(204) },
  },
} satisfies ProbeArea;
