import { z } from 'zod';
import { editAndResend, regenerateAnswer, sendMessage, stopAnswer } from '../../../commands/conversations/askQuestion.js';
import { ownConversation } from '../../../commands/conversations/conversationAccess.js';
import { AppError } from '../../../errors/appError.js';
import type { Services } from '../../../services.js';
import { presentChatEvent } from '../../presenters/chatEvent.js';
import { MessageView } from '../../presenters/message.js';
import type { RouteBuilder } from '../../route.js';
import { openEventStream } from '../../sse.js';
import { IdParams } from '../../schemas/common.js';
import { respondWithAnswer } from './answerResponse.js';
import { replyToToolApproval } from '../../../commands/conversations/replyToToolApproval.js';
import { MessageCreate, MessageEdit, MessageParams, ToolApprovalBody, ToolApprovalParams, ToolApprovalView } from './conversations.schema.js';

const AnswerView = z
  .object({ userMessage: MessageView.nullable(), message: MessageView })
  .meta({ id: 'Answer', description: 'Without Accept: text/event-stream: the stored question (null when regenerating) and the complete answer' });

const STREAM_DOC =
  'With `Accept: text/event-stream` the answer streams as server-sent events: `start` {conversationId, userMessage, message, seq}, `chunk` {messageId, seq, text} ..., `tool` {messageId, call} and `approval` {messageId, approval} while tools run, then `done` {message} or `error` {error, message}.';
const answerResponses = {
  201: { description: 'The answer (JSON), or its stream of events', schema: AnswerView },
} as const;

export function messageRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'post',
    path: '/conversations/:id/messages',
    summary: `Ask a question and get the answer with its sources. ${STREAM_DOC}`,
    tags: ['conversations'],
    params: IdParams,
    body: MessageCreate,
    responses: answerResponses,
    handler: async ({ actor, params, body, req, res }) =>
      respondWithAnswer(req, res, await sendMessage(s, actor, { conversationId: params.id, content: body.content, parentId: body.parentId })),
  });

  routes.add({
    method: 'post',
    path: '/conversations/:id/messages/:messageId/regenerate',
    summary: `Answer a question again (messageId: the answer to replace, or the question). ${STREAM_DOC}`,
    tags: ['conversations'],
    params: MessageParams,
    responses: answerResponses,
    handler: async ({ actor, params, req, res }) => respondWithAnswer(req, res, await regenerateAnswer(s, actor, { conversationId: params.id, messageId: params.messageId })),
  });

  routes.add({
    method: 'post',
    path: '/conversations/:id/messages/:messageId/edit',
    summary: `Change a question and ask it again; the earlier version is kept. ${STREAM_DOC}`,
    tags: ['conversations'],
    params: MessageParams,
    body: MessageEdit,
    responses: answerResponses,
    handler: async ({ actor, params, body, req, res }) =>
      respondWithAnswer(req, res, await editAndResend(s, actor, { conversationId: params.id, messageId: params.messageId, content: body.content })),
  });

  routes.add({
    method: 'get',
    path: '/conversations/:id/messages/:messageId/stream',
    summary: 'Follow an answer again after a dropped connection: a `start` event with the text so far, then the rest as it comes (server-sent events)',
    tags: ['conversations'],
    params: MessageParams,
    responses: { 200: { description: 'Server-sent events', schema: z.string(), contentType: 'text/event-stream' } },
    handler: async ({ actor, params, req, res }) => {
      await ownConversation(s, actor, params.id);
      // Written here or by another process (scale-out): the text so far, then the rest as it comes.
      const running = await s.generations.follow(params.id, params.messageId);
      if (running) return respondWithAnswer(req, res, running, 200);
      // Already finished (or written by a process that has gone): the stored answer, as one start and its end.
      const message = await s.prisma.message.findFirst({ where: { id: params.messageId, conversationId: params.id, role: 'assistant' } });
      if (!message) throw AppError.notFound('Message');
      const stream = openEventStream(req, res);
      stream.send('start', presentChatEvent({ type: 'start', conversationId: params.id, userMessage: null, message, seq: 0 }));
      if (message.status === 'error') {
        const error = { code: 'upstream_failed', message: message.error ?? 'The answer failed' };
        stream.send('error', presentChatEvent({ type: 'error', conversationId: params.id, messageId: message.id, error, message }));
      } else stream.send('done', presentChatEvent({ type: 'done', conversationId: params.id, message }));
      stream.end();
    },
  });

  routes.add({
    method: 'post',
    path: '/conversations/:id/messages/:messageId/tool-approvals/:callId',
    summary: 'Allow or deny one "ask first" tool call the answer is waiting on (the `approval` event); only the answer’s owner may reply',
    tags: ['conversations'],
    params: ToolApprovalParams,
    body: ToolApprovalBody,
    responses: { 200: { description: 'The decision, passed on to the answer', schema: ToolApprovalView } },
    handler: async ({ actor, params, body }) => ({
      body: await replyToToolApproval(s, actor, { conversationId: params.id, messageId: params.messageId, callId: params.callId, allow: body.allow }),
    }),
  });

  routes.add({
    method: 'post',
    path: '/conversations/:id/stop',
    summary: 'Stop the answer being written; what was written so far is kept',
    tags: ['conversations'],
    params: IdParams,
    responses: { 200: { description: 'Whether an answer was stopped', schema: z.object({ stopped: z.boolean() }) } },
    handler: async ({ actor, params }) => {
      await ownConversation(s, actor, params.id);
      return { body: { stopped: await stopAnswer(s, actor, params.id) } };
    },
  });
}
