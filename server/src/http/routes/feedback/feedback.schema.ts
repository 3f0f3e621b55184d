import { z } from 'zod';
import { FEEDBACK_REASONS } from '../../../commands/feedback/answerFeedback.js';
import { UsageRangeQuery } from '../usage/usage.schema.js';

export const FeedbackBody = z
  .object({
    rating: z.enum(['up', 'down']),
    reasons: z.array(z.enum(FEEDBACK_REASONS)).max(FEEDBACK_REASONS.length).default([]).describe('Why the answer was not good (ignored for a thumbs up)'),
    comment: z.string().trim().max(2000).nullable().default(null),
  })
  .meta({ id: 'FeedbackInput' });

/** Whole days in the quota time zone (default the last 30), optionally one assistant. */
export const FeedbackReportQuery = UsageRangeQuery.extend({
  assistantId: z.uuid({ error: 'must be a UUID' }).optional(),
  knowledgeBaseId: z.uuid({ error: 'must be a UUID' }).optional().describe('Only answers of assistants that search this knowledge base'),
});

export const NegativeAnswersQuery = FeedbackReportQuery.extend({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
});

const score = z.coerce.number().min(0).max(1);
export const GapQuery = FeedbackReportQuery.extend({
  weakBelow: score.optional().describe("A best passage below this similarity counts as weak (default: the retriever's minimum + 0.05)"),
  similarity: score.optional().describe("Questions at least this similar join a group (default suits the embedder)"),
});

export const FeedbackExportQuery = GapQuery.extend({ kind: z.enum(['negative', 'gaps']).default('negative') });

const AssistantRef = z.object({ id: z.uuid(), name: z.string() });

export const NegativeAnswerView = z
  .object({
    id: z.uuid(),
    messageId: z.uuid(),
    assistant: AssistantRef,
    question: z.string(),
    answer: z.string(),
    sources: z.array(z.object({ fileName: z.string(), page: z.number().int().nullable(), section: z.string().nullable(), score: z.number() })),
    reasons: z.array(z.string()),
    comment: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'NegativeAnswer' });

const GapQuestionView = z.object({
  messageId: z.uuid(),
  assistant: AssistantRef,
  question: z.string(),
  passageCount: z.number().int(),
  topScore: z.number().nullable(),
  askedAt: z.string(),
});

const Range = z.object({ from: z.string(), to: z.string(), timeZone: z.string() });

export const KnowledgeGapsView = z
  .object({
    range: Range,
    weakBelow: z.number(),
    similarity: z.number(),
    groups: z.array(z.object({ question: z.string(), count: z.number().int(), lastAskedAt: z.string(), questions: z.array(GapQuestionView) })),
  })
  .meta({ id: 'KnowledgeGaps' });

export const FeedbackTrendView = z
  .object({ range: Range, dates: z.array(z.string()), up: z.array(z.number().int()), down: z.array(z.number().int()), gaps: z.array(z.number().int()) })
  .meta({ id: 'FeedbackTrend' });
