import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { chooseBranch, fetchConversation } from '../api/endpoints.js';
import { asApiError } from '../api/errors.js';
import { request } from './socket.js';
import { newerOf } from './thread.js';
import { keys, toThread, type ChatThread } from './threadCache.js';
import { resume } from './useChatEvents.js';
import { useConnection } from './useConnection.js';

/** A conversation as cached; several components may watch the same one. */
export function useThreadQuery(id: string | null) {
  return useQuery({
    queryKey: keys.conversation(id ?? 'none'),
    queryFn: async ({ signal }) => toThread(await fetchConversation(id!, signal)),
    enabled: !!id,
    retry: (count, error) => asApiError(error).status >= 500 && count < 2,
    structuralSharing: (cached, fetched) => newerOf(cached as ChatThread | undefined, fetched as ChatThread),
  });
}

/** One conversation with its live answer, and what the user can do in it. */
export function useConversation(id: string | null) {
  const client = useQueryClient();
  const online = useConnection() === 'online';
  const query = useThreadQuery(id);
  const thread = query.data;

  // A gap, a reload mid-answer or a reconnect: take the server's text so far, then the rest.
  const stale = !!thread?.live?.stale;
  useEffect(() => {
    if (id && stale && online) void resume(client, id).catch(() => undefined);
  }, [client, id, stale, online]);

  // Stable across renders, so effects that use them (Esc to stop) do not re-subscribe on every chunk.
  const actions = useMemo(() => {
    const run = async (event: string, payload: Record<string, unknown>) => {
      if (id) await request(event, { conversationId: id, ...payload });
    };
    return {
      send: (content: string) => run('chat:send', { content }),
      regenerate: (messageId: string) => run('chat:regenerate', { messageId }),
      edit: (messageId: string, content: string) => run('chat:edit', { messageId, content }),
      stop: () => run('chat:stop', {}),
      /** Shows another version at a fork; the choice is stored, so a reload or another device shows it too. */
      showVersion: async (messageId: string) => {
        if (!id) return;
        const detail = await chooseBranch(id, messageId);
        client.setQueryData<ChatThread>(keys.conversation(id), (cached) => ({ ...toThread(detail), failures: cached?.failures ?? {} }));
      },
    };
  }, [client, id]);

  return { query, thread: thread as ChatThread | undefined, streaming: !!thread?.live, ...actions };
}
