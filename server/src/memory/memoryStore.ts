import type { Prisma } from '../db/generated/client.js';
import type { AuditLog } from '../governance/auditLog.js';
import type { RequestMeta } from '../governance/auditLog.js';
import type { Embedder } from '../ingestion/embed/index.js';
import { vectorLiteral } from '../ingestion/index/chunkStore.js';

// Writing memories: their embedding is made by the configured embedder, and
// the audit log hears only that one was created, changed or deleted (ids,
// origin, status), never the text.

export type MemoryOrigin = 'explicit' | 'manual' | 'proposed';

/** A memory as read and presented (the vector and tsvector stay in the database). */
export const memorySelect = { id: true, userId: true, text: true, status: true, origin: true, conversationId: true, createdAt: true, updatedAt: true } as const;
export type MemoryRecord = Prisma.MemoryGetPayload<{ select: typeof memorySelect }>;

/** At most this many memories per user (kept and proposed): retrieval scores them all exactly. */
export const MEMORY_LIMIT = 1000;

export interface AuditedActor {
  id: string;
  email: string | null;
}

export async function embedMemory(embedder: Embedder, text: string): Promise<{ embedder: string; dim: number; vector: string }> {
  const [vector] = await embedder.embed([text], 'document');
  return { embedder: embedder.name, dim: embedder.dimension, vector: vectorLiteral(vector!) };
}

export async function insertMemory(
  tx: Prisma.TransactionClient,
  input: { userId: string; text: string; status: 'kept' | 'proposed'; origin: MemoryOrigin; conversationId: string | null },
  embedding: { embedder: string; dim: number; vector: string },
): Promise<MemoryRecord> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO memories (user_id, text, status, origin, conversation_id, embedder, embedding_dim, embedding)
    VALUES (${input.userId}::uuid, ${input.text}, ${input.status}::"MemoryStatus", ${input.origin}, ${input.conversationId}::uuid, ${embedding.embedder}, ${embedding.dim}, ${embedding.vector}::vector)
    RETURNING id::text`;
  return tx.memory.findUniqueOrThrow({ where: { id: row!.id }, select: memorySelect });
}

export async function updateMemoryText(tx: Prisma.TransactionClient, id: string, text: string, embedding: { embedder: string; dim: number; vector: string }): Promise<MemoryRecord> {
  await tx.$executeRaw`
    UPDATE memories SET text = ${text}, embedder = ${embedding.embedder}, embedding_dim = ${embedding.dim}, embedding = ${embedding.vector}::vector, updated_at = now()
     WHERE id = ${id}::uuid`;
  return tx.memory.findUniqueOrThrow({ where: { id }, select: memorySelect });
}

/** The audit entry of a memory change: what happened and to which, never what it says. */
export function auditMemory(
  audit: AuditLog,
  tx: Prisma.TransactionClient,
  entry: { actor: AuditedActor; action: 'memory.create' | 'memory.update' | 'memory.delete' | 'memory.delete_all' | 'memory.settings'; id: string; values: Record<string, string | number | boolean | null>; meta: RequestMeta },
): Promise<void> {
  return audit.record({ actor: entry.actor, action: entry.action, resource: { type: 'memory', id: entry.id }, newValues: entry.values, meta: entry.meta }, tx);
}
