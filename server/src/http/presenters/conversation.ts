import { z } from 'zod';
import type { Conversation } from '../../db/generated/client.js';
import { MessageView } from './message.js';

export const ConversationView = z
  .object({
    id: z.uuid(),
    assistantId: z.uuid(),
    title: z.string(),
    archived: z.boolean(),
    source: z.string().describe('chat, api (OpenAI-compatible API) or mcp'),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastMessageAt: z.string(),
    snippet: z.string().optional().describe('With a search: the best matching passage of the conversation'),
  })
  .meta({ id: 'Conversation' });
export type ConversationView = z.infer<typeof ConversationView>;

export const ConversationDetailView = ConversationView.extend({
  messages: z.array(MessageView).describe('The branch shown: the one ending in the newest message, oldest first'),
  streaming: z
    .object({ messageId: z.uuid() })
    .nullable()
    .describe('The answer being written now, if any; follow it with chat:resume (socket.io) or GET .../messages/{messageId}/stream (SSE)'),
}).meta({ id: 'ConversationDetail' });

export function presentConversation(c: Conversation, snippet?: string | null): ConversationView {
  return {
    id: c.id,
    assistantId: c.assistantId,
    title: c.title,
    archived: c.archived,
    source: c.source,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    lastMessageAt: c.lastMessageAt.toISOString(),
    ...(snippet ? { snippet } : {}),
  };
}
