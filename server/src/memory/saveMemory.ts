import { AppError } from '../errors/appError.js';
import type { RequestMeta } from '../governance/auditLog.js';
import type { Services } from '../services.js';
import { clipNote } from './memoryCue.js';
import { auditMemory, embedMemory, insertMemory, MEMORY_LIMIT, memorySelect, type AuditedActor, type MemoryOrigin, type MemoryRecord } from './memoryStore.js';

export interface NewMemory {
  userId: string;
  text: string;
  status: 'kept' | 'proposed';
  origin: MemoryOrigin;
  conversationId: string | null;
}

/**
 * Stores one memory for its user. The same note twice (ignoring case and
 * surrounding space) is one memory: saying it again keeps a proposal.
 * A kept memory is audited as created (ids and origin, not the text); a
 * proposal is not, until the user keeps it.
 */
export async function saveMemory(s: Pick<Services, 'prisma' | 'audit' | 'embedder'>, who: { actor: AuditedActor; meta: RequestMeta }, input: NewMemory): Promise<MemoryRecord> {
  const text = clipNote(input.text);
  if (!text) throw new AppError('validation_failed', 'A memory needs some text', { field: 'text' });
  const embedding = await embedMemory(s.embedder, text);
  return s.prisma.$transaction(async (tx) => {
    const [same] = await tx.$queryRaw<{ id: string; status: string }[]>`
      SELECT id::text, status::text FROM memories WHERE user_id = ${input.userId}::uuid AND lower(btrim(text)) = lower(${text}) LIMIT 1`;
    if (same) {
      if (same.status === 'proposed' && input.status === 'kept') return keepInTx(s, tx, who, same.id);
      return tx.memory.findUniqueOrThrow({ where: { id: same.id }, select: memorySelect });
    }
    if ((await tx.memory.count({ where: { userId: input.userId } })) >= MEMORY_LIMIT) {
      throw new AppError('conflict', `You have ${MEMORY_LIMIT} memories, the most Atrium keeps; delete some first`);
    }
    const memory = await insertMemory(tx, { ...input, text }, embedding);
    if (memory.status === 'kept') await auditMemory(s.audit, tx, { actor: who.actor, action: 'memory.create', id: memory.id, values: { origin: memory.origin, conversationId: memory.conversationId }, meta: who.meta });
    return memory;
  });
}

type Tx = Parameters<Parameters<Services['prisma']['$transaction']>[0]>[0];

/** A proposal becomes a kept memory: from here on it is recalled, and it is audited as created. */
export async function keepInTx(s: Pick<Services, 'audit'>, tx: Tx, who: { actor: AuditedActor; meta: RequestMeta }, id: string): Promise<MemoryRecord> {
  const memory = await tx.memory.update({ where: { id }, data: { status: 'kept' }, select: memorySelect });
  await auditMemory(s.audit, tx, { actor: who.actor, action: 'memory.create', id, values: { origin: memory.origin, conversationId: memory.conversationId }, meta: who.meta });
  return memory;
}
