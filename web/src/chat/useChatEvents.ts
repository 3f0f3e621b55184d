import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Conversation, ErrorInfo, FlowStepRun, Message, ToolCall } from '../api/types.js';
import { chatSocket, request } from './socket.js';
import { applyChunk, applyDone, applyError, applySnapshot, applyStart, applyStep, applyStepText, applyTool, markStale, type Chunk } from './thread.js';
import { cachedThreads, keys, updateThread } from './threadCache.js';

type Snapshot = { messageId: string; seq: number; text: string; toolCalls?: ToolCall[]; steps?: FlowStepRun[] } | null;

/** Re-syncs a conversation's answer after a reconnect or a gap: the text so far, then later chunks. */
export async function resume(client: ReturnType<typeof useQueryClient>, conversationId: string): Promise<void> {
  const { streaming } = await request<{ streaming: Snapshot }>('chat:resume', { conversationId });
  // Finished while we were away: the stored answer is the truth (fetched before the live state ends, so nothing flashes).
  if (!streaming) await client.invalidateQueries({ queryKey: keys.conversation(conversationId) });
  updateThread(client, conversationId, (t) => applySnapshot(t, streaming));
}

/** Routes the server's chat events into the query cache, for every conversation this tab holds. */
export function useChatEvents(): void {
  const client = useQueryClient();
  useEffect(() => {
    const socket = chatSocket();
    const onStart = (e: { conversationId: string; userMessage: Message | null; message: Message; seq: number }) => {
      updateThread(client, e.conversationId, (t) => {
        const { [e.message.id]: _old, ...failures } = t.failures;
        return { ...applyStart(t, e), failures };
      });
      void client.invalidateQueries({ queryKey: keys.conversations });
    };
    const onChunk = (e: Chunk & { conversationId: string }) => updateThread(client, e.conversationId, (t) => applyChunk(t, e));
    const onTool = (e: { conversationId: string; messageId: string; call: ToolCall }) => updateThread(client, e.conversationId, (t) => applyTool(t, e));
    const onStep = (e: { conversationId: string; messageId: string; step: FlowStepRun }) => updateThread(client, e.conversationId, (t) => applyStep(t, e));
    const onStepText = (e: { conversationId: string; messageId: string; index: number; text: string }) => updateThread(client, e.conversationId, (t) => applyStepText(t, e));
    const onDone = (e: { conversationId: string; message: Message }) => {
      updateThread(client, e.conversationId, (t) => applyDone(t, e.message));
      // Branch positions and usage change with every answer.
      void client.invalidateQueries({ queryKey: keys.conversation(e.conversationId) });
      void client.invalidateQueries({ queryKey: keys.usage });
    };
    const onError = (e: { conversationId: string; messageId?: string; error: ErrorInfo; message?: Message | null }) => {
      updateThread(client, e.conversationId, (t) => {
        const failed = e.message?.id ?? e.messageId;
        return { ...applyError(t, e), failures: failed ? { ...t.failures, [failed]: e.error } : t.failures };
      });
      void client.invalidateQueries({ queryKey: keys.usage });
    };
    const onUpdated = (e: { conversation: Conversation }) => {
      updateThread(client, e.conversation.id, () => ({ title: e.conversation.title, archived: e.conversation.archived }));
      // A generated title, or another version chosen in another tab. Refetching also cancels a fetch
      // already under way (the one the answer's end asked for), which would bring back the old title.
      void client.invalidateQueries({ queryKey: keys.conversation(e.conversation.id) });
      void client.invalidateQueries({ queryKey: keys.conversations });
    };
    // Chunks sent while disconnected are lost: each live answer re-syncs (chat:resume) when shown online again.
    const onDisconnect = () => cachedThreads(client).forEach((t) => updateThread(client, t.id, markStale));
    socket.on('chat:start', onStart);
    socket.on('chat:chunk', onChunk);
    socket.on('chat:tool', onTool);
    socket.on('chat:step', onStep);
    socket.on('chat:step_text', onStepText);
    socket.on('chat:done', onDone);
    socket.on('chat:error', onError);
    socket.on('conversation:updated', onUpdated);
    socket.on('disconnect', onDisconnect);
    return () => {
      socket.off('chat:start', onStart);
      socket.off('chat:chunk', onChunk);
      socket.off('chat:tool', onTool);
      socket.off('chat:step', onStep);
      socket.off('chat:step_text', onStepText);
      socket.off('chat:done', onDone);
      socket.off('chat:error', onError);
      socket.off('conversation:updated', onUpdated);
      socket.off('disconnect', onDisconnect);
    };
  }, [client]);
}
