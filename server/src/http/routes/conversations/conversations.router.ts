import { z } from 'zod';
import { chooseBranch, readConversationForReading } from '../../../commands/conversations/conversationBranch.js';
import { feedbackByMessage } from '../../../commands/feedback/answerFeedback.js';
import { exportConversation } from '../../../commands/conversations/exportConversation.js';
import { listConversations } from '../../../commands/conversations/listConversations.js';
import { createConversation, deleteConversation, updateConversation } from '../../../commands/conversations/manageConversations.js';
import { requestMeta, type Services } from '../../../services.js';
import { ConversationDetailView, ConversationView, presentConversation, presentConversationDetail } from '../../presenters/conversation.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams, pageBody, pageOf } from '../../schemas/common.js';
import { BranchChoice, ConversationCreate, ConversationListQuery, ConversationUpdate, ExportQuery } from './conversations.schema.js';

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
      const { feedback, ...thread } = await readConversationForReading(s, actor, params.id);
      return { body: presentConversationDetail(thread, await s.generations.writing(params.id), feedback) };
    },
  });

  routes.add({
    method: 'put',
    path: '/conversations/:id/branch',
    summary:
      'Choose the version shown at a fork: `messageId` is any message (a question or an answer); the branch shown becomes its most recent continuation. Reading, exporting and the next question follow it.',
    tags: ['conversations'],
    params: IdParams,
    body: BranchChoice,
    responses: { 200: { description: 'The conversation with the branch now shown', schema: ConversationDetailView } },
    handler: async ({ actor, params, body }) => {
      const thread = await chooseBranch(s, actor, { conversationId: params.id, messageId: body.messageId });
      const feedback = await feedbackByMessage(s, actor, thread.path.filter((m) => m.role === 'assistant').map((m) => m.id));
      return { body: presentConversationDetail(thread, null, feedback) };
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
    summary: 'Delete one of your conversations, its messages and its attachments (their passages and stored bytes)',
    tags: ['conversations'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteConversation(s, actor, params.id, requestMeta(req));
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
