import type { QueryClient } from '@tanstack/react-query';
import type { ConversationDetail, ErrorInfo } from '../api/types.js';
import type { Thread } from './thread.js';

// A conversation as the app holds it: the API's detail plus what the stream
// reducer tracks, and the last error per answer (with its code, for the banner).

export interface ChatThread extends ConversationDetail, Thread {
  failures: Record<string, ErrorInfo>;
}

export const keys = {
  conversation: (id: string) => ['conversation', id] as const,
  conversations: ['conversations'] as const,
  assistants: ['assistants'] as const,
  usage: ['usage'] as const,
};

export function toThread(detail: ConversationDetail): ChatThread {
  return {
    ...detail,
    failures: {},
    // An answer already being written when the page loaded: its text comes from chat:resume.
    live: detail.streaming ? { messageId: detail.streaming.messageId, seq: 0, pending: [], stale: true } : null,
  };
}

/** Applies a reducer step to a cached conversation, if the app has it. */
export function updateThread(client: QueryClient, id: string, step: (thread: ChatThread) => Partial<ChatThread>): void {
  client.setQueryData<ChatThread>(keys.conversation(id), (thread) => (thread ? { ...thread, ...step(thread) } : thread));
}

export function cachedThreads(client: QueryClient): ChatThread[] {
  return client
    .getQueriesData<ChatThread>({ queryKey: ['conversation'] })
    .map(([, data]) => data)
    .filter((t): t is ChatThread => !!t);
}
