import { z } from 'zod';
import { activePath, branchPositions } from '../../../chat/conversationTree.js';
import { ownConversation } from '../../../commands/conversations/conversationAccess.js';
import { feedbackByMessage } from '../../../commands/feedback/answerFeedback.js';
import { exportConversation } from '../../../commands/conversations/exportConversation.js';
import { listConversations } from '../../../commands/conversations/listConversations.js';
import { createConversation, deleteConversation, updateConversation } from '../../../commands/conversations/manageConversations.js';
import type { Services } from '../../../services.js';
import { ConversationDetailView, ConversationView, presentConversation } from '../../presenters/conversation.js';
import { presentMessage } from '../../presenters/message.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams, pageBody, pageOf } from '../../schemas/common.js';
import { ConversationCreate, ConversationListQuery, ConversationUpdate, ExportQuery } from './conversations.schema.js';

export function conversationRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'post',
    path: '/conversations',
    summary: 'Start a conversation with an assistant you may use',
    tags: ['conversations'],
    body: ConversationCreate,
    responses: { 201: { description: 'Created', schema: ConversationView } },
    handler: async ({ actor, body }) => ({ status: 201, body: presentConversation(await createConversation(s, actor, body)) }),
  });

  routes.add({
    method: 'get',
    path: '/conversations',
    summary: 'Your conversations, most recent first; `q` searches titles and your messages',
    tags: ['conversations'],
    query: ConversationListQuery,
    responses: { 200: { description: 'A page of conversations', schema: pageOf(ConversationView, 'ConversationPage') } },
    handler: async ({ actor, query }) => {
      const { rows, total } = await listConversations(s, actor, query);
      return { body: pageBody(rows.map((r) => presentConversation(r.conversation, r.snippet)), total, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/conversations/:id',
    summary: 'One of your conversations with the branch of messages shown',
    tags: ['conversations'],
    params: IdParams,
    responses: { 200: { description: 'The conversation', schema: ConversationDetailView } },
    handler: async ({ actor, params }) => {
      const conversation = await ownConversation(s, actor, params.id);
      const messages = await s.prisma.message.findMany({ where: { conversationId: conversation.id }, orderBy: { createdAt: 'asc' } });
      const path = activePath(messages);
      const branches = branchPositions(messages, path);
      const streaming = s.generations.active(conversation.id);
      const feedback = await feedbackByMessage(s, actor, path.filter((m) => m.role === 'assistant').map((m) => m.id));
      return {
        body: {
          ...presentConversation(conversation),
          messages: path.map((m) => presentMessage(m, branches.get(m.id), feedback.get(m.id))),
          streaming: streaming ? { messageId: streaming.messageId } : null,
        },
      };
    },
  });

  routes.add({
    method: 'patch',
    path: '/conversations/:id',
    summary: 'Rename or archive one of your conversations',
    tags: ['conversations'],
    params: IdParams,
    body: ConversationUpdate,
    responses: { 200: { description: 'Updated', schema: ConversationView } },
    handler: async ({ actor, params, body }) => ({ body: presentConversation(await updateConversation(s, actor, params.id, body)) }),
  });

  routes.add({
    method: 'delete',
    path: '/conversations/:id',
    summary: 'Delete one of your conversations and its messages',
    tags: ['conversations'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params }) => {
      await deleteConversation(s, actor, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/conversations/:id/export',
    summary: 'Download one of your conversations as Markdown or JSON',
    tags: ['conversations'],
    params: IdParams,
    query: ExportQuery,
    responses: { 200: { description: 'The conversation as a file', schema: z.string(), contentType: 'text/markdown' } },
    handler: async ({ actor, params, query, res }) => {
      const file = await exportConversation(s, actor, params.id, query.format);
      res.status(200).type(file.contentType).attachment(file.fileName).send(file.body);
    },
  });
}
