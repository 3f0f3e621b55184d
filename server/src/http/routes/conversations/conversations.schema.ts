import { z } from 'zod';
import { IdParams } from '../../schemas/common.js';

// Questions are capped well above any real question; the model's context window limits what is sent.
const Content = z.string().trim().min(1, 'must not be empty').max(32_000);

export const ConversationCreate = z
  .object({ assistantId: z.uuid(), title: z.string().trim().min(1).max(200).optional() })
  .strict()
  .meta({ id: 'ConversationCreate' });

export const ConversationUpdate = z
  .object({ title: z.string().trim().min(1).max(200).optional(), archived: z.boolean().optional() })
  .strict()
  .refine((b) => b.title !== undefined || b.archived !== undefined, { message: 'Give a title or archived' })
  .meta({ id: 'ConversationUpdate' });

export const ConversationListQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  q: z.string().trim().max(200).optional().describe('Searches titles and, in full text, your messages'),
  archived: z
    .enum(['true', 'false', 'all'])
    .default('false')
    .transform((v) => (v === 'all' ? ('all' as const) : v === 'true')),
  assistantId: z.uuid().optional(),
  source: z
    .enum(['chat', 'api', 'mcp', 'all'])
    .default('chat')
    .describe('Where the conversations began: the chat app (default), the OpenAI-compatible API, MCP, or all'),
});

export const ExportQuery = z.object({ format: z.enum(['md', 'json']).default('md') });

export const MessageCreate = z
  .object({ content: Content, parentId: z.uuid().optional().describe('Ask after this answer instead of at the end of the branch shown') })
  .strict()
  .meta({ id: 'MessageCreate' });

export const BranchChoice = z
  .object({ messageId: z.uuid({ error: 'must be a UUID' }).describe('The version to show: a question or an answer of this conversation') })
  .strict()
  .meta({ id: 'BranchChoice' });

export const MessageEdit = z.object({ content: Content }).strict().meta({ id: 'MessageEdit' });

export const MessageParams = IdParams.extend({ messageId: z.uuid({ error: 'must be a UUID' }) });

export const ToolApprovalParams = MessageParams.extend({ callId: z.string().min(1).max(200).describe("The tool call's id, as in the approval event") });
export const ToolApprovalBody = z.object({ allow: z.boolean().describe('true runs the call; false tells the model the user denied it') }).strict().meta({ id: 'ToolApprovalReply' });
export const ToolApprovalView = z.object({ callId: z.string(), decision: z.enum(['allowed', 'denied']) }).meta({ id: 'ToolApproval' });
