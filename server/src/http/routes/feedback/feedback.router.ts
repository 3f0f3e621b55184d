import { z } from 'zod';
import { giveFeedback, removeFeedback } from '../../../commands/feedback/answerFeedback.js';
import { AppError } from '../../../errors/appError.js';
import { exportFeedbackCsv } from '../../../feedback/feedbackExport.js';
import { defaultGapOptions, FeedbackReports, type FeedbackFilter, type GapOptions } from '../../../feedback/feedbackReports.js';
import { usageRange } from '../../../governance/usage/usageRange.js';
import { authorize, manageableAssistants, type Actor } from '../../../policies/index.js';
import { manageableKnowledgeBases } from '../../../policies/knowledgeBases.js';
import type { Services } from '../../../services.js';
import { FeedbackView, presentFeedback } from '../../presenters/message.js';
import type { RouteBuilder } from '../../route.js';
import { pageBody, pageOf, pageWindow } from '../../schemas/common.js';
import { MessageParams } from '../conversations/conversations.schema.js';
import {
  FeedbackBody,
  FeedbackExportQuery,
  FeedbackTrendView,
  GapQuery,
  KnowledgeGapsView,
  NegativeAnswersQuery,
  NegativeAnswerView,
} from './feedback.schema.js';

// Staff give feedback on the answers in their own conversations; the people who
// maintain an assistant read it, with the knowledge gaps, in the console.
export function feedbackRoutes(s: Services, routes: RouteBuilder): void {
  const reports = new FeedbackReports(s.prisma, s.embedder);
  const defaults = defaultGapOptions(s.embedder.name, s.retriever.defaultMinScore);

  /** The reader's scope: admins every assistant, managers those they manage; an assistant outside it is "not found". */
  async function filterOf(actor: Actor, q: { from?: string; to?: string; assistantId?: string; knowledgeBaseId?: string }): Promise<FeedbackFilter> {
    authorize(actor, 'feedback.report');
    const assistants = manageableAssistants(actor);
    if (q.assistantId && !(await s.prisma.assistant.findFirst({ where: { AND: [{ id: q.assistantId }, assistants] }, select: { id: true } }))) {
      throw AppError.notFound('Assistant');
    }
    // A base's report: the answers of the reader's assistants that search it (a base the reader may not manage is "not found").
    if (q.knowledgeBaseId && !(await s.prisma.knowledgeBase.findFirst({ where: { AND: [{ id: q.knowledgeBaseId }, manageableKnowledgeBases(actor)] }, select: { id: true } }))) {
      throw AppError.notFound('Knowledge base');
    }
    return { range: usageRange(q, s.quotas.currentTime(), s.quotas.timeZone), assistants, assistantId: q.assistantId, knowledgeBaseId: q.knowledgeBaseId };
  }
  const rangeView = (f: FeedbackFilter) => ({ from: f.range.from, to: f.range.to, timeZone: f.range.timeZone });
  const gapOptions = (q: { weakBelow?: number; similarity?: number }): GapOptions => ({ weakBelow: q.weakBelow ?? defaults.weakBelow, similarity: q.similarity ?? defaults.similarity });

  routes.add({
    method: 'put',
    path: '/conversations/:id/messages/:messageId/feedback',
    summary: 'Give or change your thumbs up or down on an answer. It is shown, with the question, to the people who maintain the assistant',
    tags: ['feedback'],
    params: MessageParams,
    body: FeedbackBody,
    responses: { 200: { description: 'Your feedback as stored', schema: FeedbackView } },
    handler: async ({ actor, params, body }) => ({
      body: presentFeedback(await giveFeedback(s, actor, { conversationId: params.id, messageId: params.messageId }, body)),
    }),
  });

  routes.add({
    method: 'delete',
    path: '/conversations/:id/messages/:messageId/feedback',
    summary: 'Remove your feedback on an answer',
    tags: ['feedback'],
    params: MessageParams,
    responses: { 204: { description: 'Removed (or there was none)' } },
    handler: async ({ actor, params }) => {
      await removeFeedback(s, actor, { conversationId: params.id, messageId: params.messageId });
      return { status: 204 };
    },
  });

  routes.add({
    method: 'get',
    path: '/feedback/negative',
    summary: 'Answers given a thumbs down, newest first, with question, sources, reasons and comment (assistants you maintain)',
    tags: ['feedback'],
    query: NegativeAnswersQuery,
    responses: { 200: { description: 'A page of answers', schema: pageOf(NegativeAnswerView, 'NegativeAnswerPage') } },
    handler: async ({ actor, query }) => {
      const { rows, total } = await reports.negativeAnswers(await filterOf(actor, query), pageWindow(query));
      return { body: pageBody(rows, total, query) };
    },
  });

  routes.add({
    method: 'get',
    path: '/feedback/gaps',
    summary: 'Knowledge gaps: questions whose retrieval found nothing or only weak passages, grouped by similar question',
    tags: ['feedback'],
    query: GapQuery,
    responses: { 200: { description: 'Groups, largest first', schema: KnowledgeGapsView } },
    handler: async ({ actor, query }) => {
      const filter = await filterOf(actor, query);
      const options = gapOptions(query);
      return { body: { range: rangeView(filter), ...options, groups: await reports.knowledgeGaps(filter, options) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/feedback/trend',
    summary: 'Per day (zero-filled): thumbs up, thumbs down and knowledge-gap questions',
    tags: ['feedback'],
    query: GapQuery,
    responses: { 200: { description: 'One count per day per series', schema: FeedbackTrendView } },
    handler: async ({ actor, query }) => {
      const filter = await filterOf(actor, query);
      return { body: { range: rangeView(filter), ...(await reports.trend(filter, gapOptions(query).weakBelow)) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/feedback/export.csv',
    summary: 'The negative answers (`kind=negative`) or the grouped knowledge gaps (`kind=gaps`) as CSV',
    tags: ['feedback'],
    query: FeedbackExportQuery,
    responses: { 200: { description: 'CSV', schema: z.string(), contentType: 'text/csv' } },
    handler: async ({ actor, query, res }) => {
      const filter = await filterOf(actor, query);
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="feedback-${query.kind}-${filter.range.from}-to-${filter.range.to}.csv"`);
      await exportFeedbackCsv(reports, filter, query.kind, gapOptions(query), res);
    },
  });
}

