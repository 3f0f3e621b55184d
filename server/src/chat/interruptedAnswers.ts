import type { PrismaClient } from '../db/database.js';

/**
 * Answers still marked as streaming when the API starts were cut off by a
 * crash or a kill: their text so far is kept (it was saved as it came) and
 * they are marked failed with a reason, so no conversation shows an answer
 * that will never finish. (One API process per server; with replicas this
 * would have to spare the others' live answers.)
 */
export async function closeInterruptedAnswers(prisma: PrismaClient): Promise<number> {
  const { count } = await prisma.message.updateMany({
    where: { status: 'streaming' },
    data: { status: 'error', finishReason: 'error', error: 'The server restarted while this answer was being written.' },
  });
  return count;
}
