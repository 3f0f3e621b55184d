import { randomBytes } from 'node:crypto';
import type { ProbeArea } from './probe.js';

// Shared conversations: everyone shares their own conversations, lists and
// revokes their shares, opens a link a colleague made (any signed-in member)
// and continues it in their own chat (ids.assistant is usable by every role
// through managedGroup).
const everyone = (status: number) => ({ user: status, manager: status, admin: status });

export default {
  order: 46,
  async setup({ prisma, ids }) {
    const thread = async (userId: string) => {
      const conversation = await prisma.conversation.create({ data: { userId, assistantId: ids.assistant } });
      const question = await prisma.message.create({ data: { conversationId: conversation.id, role: 'user', content: 'Question', createdAt: new Date(Date.now() - 1000) } });
      const answer = await prisma.message.create({ data: { conversationId: conversation.id, parentId: question.id, role: 'assistant', content: 'Answer' } });
      return { conversation, answer };
    };
    const mine = await thread(ids.self);
    const theirs = await thread(ids.other);
    const link = await prisma.conversationShare.create({
      data: { conversationId: theirs.conversation.id, ownerId: ids.other, leafMessageId: theirs.answer.id, title: 'Theirs', audience: 'link', token: randomBytes(32).toString('base64url') },
    });
    const own = await prisma.conversationShare.create({
      data: { conversationId: mine.conversation.id, ownerId: ids.self, leafMessageId: mine.answer.id, title: 'Mine', audience: 'link', token: randomBytes(32).toString('base64url') },
    });
    return { sharedConversation: mine.conversation.id, linkToken: link.token, ownShare: own.id };
  },
  probes: {
    'post /api/v1/conversations/{id}/shares': { path: (i) => `/api/v1/conversations/${i.sharedConversation}/shares`, body: () => ({ audience: 'link' }), expect: everyone(201) },
    'get /api/v1/conversations/{id}/shares': { path: (i) => `/api/v1/conversations/${i.sharedConversation}/shares`, expect: everyone(200) },
    'delete /api/v1/shares/{id}': { path: (i) => `/api/v1/shares/${i.ownShare}`, expect: everyone(204) },
    'get /api/v1/shared/{token}': { path: (i) => `/api/v1/shared/${i.linkToken}`, expect: everyone(200) },
    'post /api/v1/shared/{token}/continue': { path: (i) => `/api/v1/shared/${i.linkToken}/continue`, expect: everyone(201) },
    'get /api/v1/me/shared-with-me': { path: () => '/api/v1/me/shared-with-me', expect: everyone(200) },
  },
} satisfies ProbeArea;
