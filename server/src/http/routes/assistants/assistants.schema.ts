import { z } from 'zod';
import { FlowSteps } from '../../../chat/flows/flowStep.js';
import { BUILTIN_TOOL_NAMES } from '../../../tools/tool.js';
import { listQuery } from '../../schemas/common.js';
import { KnowledgeBaseAttachmentInput } from '../knowledgeBases/knowledgeBases.schema.js';

// One set of field rules for create and update, so the two can never disagree.
const AssistantFields = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  instructions: z.string().max(20_000),
  modelId: z.uuid().nullable().describe('An enabled chat model of an enabled provider; null clears it'),
  fallbackModelId: z
    .uuid()
    .nullable()
    .describe('A chat model (any provider) that answers when the model fails before its first token (unavailable, timeout, rate limited, refused key); null: none'),
  temperature: z.number().min(0).max(2),
  maxTokens: z.number().int().min(1).max(200_000),
  groupIds: z.array(z.uuid()).max(100).describe('The groups whose members may use the assistant (replaces the set)'),
  knowledgeBases: z
    .array(KnowledgeBaseAttachmentInput)
    .max(100)
    .describe('The knowledge bases it searches, each with an optional tag filter (replaces the set); attaching needs the right to read the base'),
  topK: z.number().int().min(1).max(50).nullable().describe('null: the system default'),
  similarityThreshold: z.number().min(0).max(1).nullable().describe('null: the system default'),
  chunkSize: z
    .number()
    .int()
    .min(64)
    .max(4096)
    .nullable()
    .describe('Tokens per chunk; null: the system default. A change applies to files indexed afterwards (re-index a file to apply it)'),
  chunkOverlap: z.number().int().min(0).max(1024).nullable().describe('null: the system default'),
  knowledgeOnly: z.boolean().describe('Answer only from the knowledge files'),
  attachmentsEnabled: z.boolean().describe('Users may attach files and images to conversations with it'),
  builtinTools: z
    .array(z.enum(BUILTIN_TOOL_NAMES))
    .max(BUILTIN_TOOL_NAMES.length)
    .refine((names) => new Set(names).size === names.length, 'lists a tool twice')
    .describe('Built-in tools the model may call while answering: search_knowledge (search again with its own query), current_time'),
  flowSteps: FlowSteps.nullable().describe(
    'A flow: 2 to 6 steps {label, modelId, instructions} run in order, each seeing the question, the passages and the earlier steps’ outputs; the last writes the answer. Each model must be one the assistant could use as its own. null: one model answers',
  ),
});

const overlapBelowSize = (b: { chunkSize?: number | null; chunkOverlap?: number | null }) =>
  b.chunkOverlap == null || b.chunkSize == null || b.chunkOverlap < b.chunkSize;
const overlapIssue = { message: 'must be smaller than chunkSize', path: ['chunkOverlap'] };

export const CreateAssistantBody = AssistantFields.partial()
  .required({ name: true })
  .strict()
  .refine(overlapBelowSize, overlapIssue)
  .meta({ id: 'AssistantCreate' });

export const UpdateAssistantBody = AssistantFields.partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .refine(overlapBelowSize, overlapIssue)
  .meta({ id: 'AssistantUpdate' });

export const AssistantListQuery = listQuery(['createdAt', 'name'] as const, 'name').extend({
  deleted: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: the deleted assistants you may restore, instead of those you may use'),
});
