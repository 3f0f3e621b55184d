import { z } from 'zod';
import { FlowStepRecord, storedSteps } from '../../chat/flows/flowStep.js';
import type { Message, MessageFeedback } from '../../db/generated/client.js';
import type { BranchPosition } from '../../chat/conversationTree.js';
import type { StoredSource } from '../../chat/sources.js';
import { FEEDBACK_REASONS } from '../../commands/feedback/answerFeedback.js';
import { storedToolCalls, ToolCallRecord } from '../../tools/toolCallRecord.js';

const FileSourceView = z
  .object({
    kind: z.literal('file'),
    index: z.number().int().describe('The number the answer cites it by, as in [1]'),
    fileId: z.uuid(),
    attachmentId: z.uuid().optional().describe("Set when the passage is from one of the conversation's attachments (download it from /conversations/:id/attachments/:attachmentId/download)"),
    fileName: z.string(),
    page: z.number().int().nullable(),
    section: z.string().nullable(),
    text: z.string().describe('The passage (capped at 1,200 characters)'),
    score: z.number().describe('Similarity to the question, 0..1'),
  })
  .meta({ id: 'FileSource' });

const MemorySourceView = z
  .object({
    kind: z.literal('memory'),
    index: z.number().int().describe('Numbered after the passages; memories are not cited'),
    memoryId: z.uuid(),
    text: z.string().describe('The note as it was when the answer used it'),
    score: z.number().describe('Similarity to the question, 0..1'),
  })
  .meta({ id: 'MemorySource', description: "One of the user's own memories the answer's prompt held (shown only to that user)" });

export const SourceView = z.discriminatedUnion('kind', [FileSourceView, MemorySourceView]).meta({ id: 'Source' });
type SourceView = z.infer<typeof SourceView>;

function presentSource(source: StoredSource): SourceView {
  if (source.kind === 'memory') return source;
  const { chunkId: _chunk, kind: _kind, ...file } = source;
  return { kind: 'file', ...file };
}

export const FeedbackView = z
  .object({
    rating: z.enum(['up', 'down']),
    reasons: z.array(z.enum(FEEDBACK_REASONS)),
    comment: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Feedback', description: "The caller's own feedback on an answer" });
export type FeedbackView = z.infer<typeof FeedbackView>;

export const presentFeedback = (f: MessageFeedback): FeedbackView => ({
  rating: f.rating,
  reasons: f.reasons as FeedbackView['reasons'],
  comment: f.comment,
  updatedAt: f.updatedAt.toISOString(),
});

export const MessageView = z
  .object({
    id: z.uuid(),
    conversationId: z.uuid(),
    parentId: z.uuid().nullable(),
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string(),
    status: z.enum(['streaming', 'complete', 'stopped', 'error']),
    model: z.string().nullable().describe('The model that wrote the answer'),
    fallbackFrom: z.string().nullable().describe("The assistant's model that failed before its first token, when a fallback model answered instead"),
    usage: z.object({ promptTokens: z.number().int(), completionTokens: z.number().int() }).nullable(),
    finishReason: z
      .string()
      .nullable()
      .describe(
        'stop, length, stopped, error, no_knowledge (answer-only-from-knowledge found nothing, or search mode found nothing), search (search mode: the best passages, not written by a model), tool_limit (the model still asked for tools after the last step), or memory_saved (answer-only-from-knowledge found nothing, but the message kept a memory: confirmed without a model call)',
      ),
    latencyMs: z.number().int().nullable(),
    sources: z.array(SourceView),
    error: z.string().nullable(),
    toolCalls: z.array(ToolCallRecord).describe("The answer's tool calls in the order they were made (empty for questions and answers that made none)"),
    steps: z.array(FlowStepRecord).describe("A flow's steps as they ran, the last one writing `content` (empty for answers that are no flow)"),
    editHistory: z.array(z.object({ content: z.string(), editedAt: z.string() })).describe('Earlier versions of an edited question, oldest first'),
    branch: z
      .object({
        index: z.number().int(),
        count: z.number().int(),
        previousId: z.uuid().nullable().describe('The version before this one; PUT .../branch with it to show it'),
        nextId: z.uuid().nullable().describe('The version after this one'),
      })
      .optional()
      .describe('Which version this is among those that answer or replace the same turn (regenerate, edit)'),
    feedback: FeedbackView.nullable().describe("The caller's thumbs up or down on this answer (null: none given)"),
    createdAt: z.string(),
  })
  .meta({ id: 'Message' });
export type MessageView = z.infer<typeof MessageView>;

export function presentMessage(m: Message, branch?: BranchPosition, feedback?: MessageFeedback): MessageView {
  return {
    id: m.id,
    conversationId: m.conversationId,
    parentId: m.parentId,
    role: m.role,
    content: m.content,
    status: m.status,
    model: m.model,
    fallbackFrom: m.fallbackFrom,
    usage: m.promptTokens === null || m.completionTokens === null ? null : { promptTokens: m.promptTokens, completionTokens: m.completionTokens },
    finishReason: m.finishReason,
    latencyMs: m.latencyMs,
    sources: ((m.sources as StoredSource[] | null) ?? []).map(presentSource),
    error: m.error,
    toolCalls: storedToolCalls(m.toolCalls),
    steps: storedSteps(m.steps),
    editHistory: (m.editHistory as MessageView['editHistory'] | null) ?? [],
    ...(branch ? { branch } : {}),
    feedback: feedback ? presentFeedback(feedback) : null,
    createdAt: m.createdAt.toISOString(),
  };
}
