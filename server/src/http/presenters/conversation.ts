import { z } from 'zod';
import { branchPositions } from '../../chat/conversationTree.js';
import type { MessageFeedback } from '../../db/generated/client.js';
import type { ConversationThread } from '../../commands/conversations/conversationBranch.js';
import type { Conversation } from '../../db/generated/client.js';
import { MessageView, presentMessage } from './message.js';

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
  messages: z
    .array(MessageView)
    .describe('The branch shown, oldest first: the versions chosen with PUT .../branch (by default the newest), each message with its `branch` position'),
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

/** A conversation with the branch it shows; `streaming`: the answer being written now, if any. */
export function presentConversationDetail(
  thread: ConversationThread,
  streaming: { messageId: string } | null,
  /** The caller's feedback on the answers shown, by message id. */
  feedback: ReadonlyMap<string, MessageFeedback> = new Map(),
): z.infer<typeof ConversationDetailView> {
  const branches = branchPositions(thread.messages, thread.path);
  return {
    ...presentConversation(thread.conversation),
    messages: thread.path.map((m) => presentMessage(m, branches.get(m.id), feedback.get(m.id))),
    streaming: streaming ? { messageId: streaming.messageId } : null,
  };
}
