import type { PrismaClient } from '../db/database.js';
import type { ChatEvent } from './chatEvents.js';

/**
 * Answers still marked as streaming when the API starts were cut off by a
 * crash or a kill: their text so far is kept (it was saved as it came) and
 * they are marked failed with a reason, so no conversation shows an answer
 * that will never finish. With several processes (REDIS_URL) the answers
 * another live process is writing are spared (`liveConversations`).
 */
export async function closeInterruptedAnswers(prisma: PrismaClient, liveConversations?: (ids: string[]) => Promise<Set<string>>): Promise<number> {
  const data = { status: 'error' as const, finishReason: 'error', error: 'The server restarted while this answer was being written.' };
  if (!liveConversations) {
    const { count } = await prisma.message.updateMany({ where: { status: 'streaming' }, data });
    return count;
  }
  const streaming = await prisma.message.findMany({ where: { status: 'streaming' }, select: { id: true, conversationId: true } });
  const live = await liveConversations([...new Set(streaming.map((m) => m.conversationId))]);
  const cut = streaming.filter((m) => !live.has(m.conversationId)).map((m) => m.id);
  if (cut.length === 0) return 0;
  const { count } = await prisma.message.updateMany({ where: { id: { in: cut }, status: 'streaming' }, data });
  return count;
}

/**
 * An answer whose process stopped while writing it (scale-out: its lease ran
 * out). Marked failed with the text it had saved; the event tells its clients.
 */
export async function closeOrphanedAnswer(prisma: PrismaClient, answer: { conversationId: string; messageId: string }): Promise<Extract<ChatEvent, { type: 'error' }> | null> {
  const { count } = await prisma.message.updateMany({
    where: { id: answer.messageId, status: 'streaming' },
    data: { status: 'error', finishReason: 'error', error: 'The server writing this answer stopped before it finished.' },
  });
  if (count === 0) return null;
  const message = await prisma.message.findUnique({ where: { id: answer.messageId } });
  const error = { code: 'answer_interrupted', message: 'The server writing this answer stopped before it finished. Please ask again.' };
  return { type: 'error', conversationId: answer.conversationId, messageId: answer.messageId, error, message };
}
