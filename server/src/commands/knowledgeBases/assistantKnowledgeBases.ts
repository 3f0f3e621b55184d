import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import type { Actor } from '../../policies/actor.js';
import { readableKnowledgeBases } from '../../policies/knowledgeBases.js';

export interface KnowledgeBaseAttachment {
  knowledgeBaseId: string;
  /** Only the base's files carrying one of these tags are searched; empty or absent: all of them. */
  tags?: string[] | null;
}

type Tx = Prisma.TransactionClient;
type Attached = { knowledgeBaseId: string; tags: string[] };

const normalise = (list: KnowledgeBaseAttachment[]): Attached[] => {
  const byId = new Map(list.map((a) => [a.knowledgeBaseId, [...new Set(a.tags ?? [])].sort()]));
  return [...byId].map(([knowledgeBaseId, tags]) => ({ knowledgeBaseId, tags })).sort((a, b) => a.knowledgeBaseId.localeCompare(b.knowledgeBaseId));
};

export async function attachedKnowledgeBases(tx: Tx, assistantId: string): Promise<Attached[]> {
  const rows = await tx.assistantKnowledgeBase.findMany({ where: { assistantId }, orderBy: { knowledgeBaseId: 'asc' } });
  return rows.map((r) => ({ knowledgeBaseId: r.knowledgeBaseId, tags: [...r.tags].sort() }));
}

/**
 * Replaces the bases an assistant searches, inside the caller's transaction
 * (which has authorised managing the assistant and writes the audit entry).
 * A base can be attached, or its tag filter changed, only by someone who may
 * read it; detaching needs nothing more than managing the assistant.
 * Returns the sets before and after, or null when nothing changed.
 */
export async function replaceAttachments(tx: Tx, actor: Actor, assistantId: string, next: KnowledgeBaseAttachment[]): Promise<{ before: Attached[]; after: Attached[] } | null> {
  const before = await attachedKnowledgeBases(tx, assistantId);
  const after = normalise(next);
  const key = (a: Attached) => `${a.knowledgeBaseId}:${a.tags.join(',')}`;
  const beforeKeys = new Set(before.map(key));
  const afterIds = new Set(after.map((a) => a.knowledgeBaseId));
  const changedOrNew = after.filter((a) => !beforeKeys.has(key(a)));
  const removed = before.filter((a) => !afterIds.has(a.knowledgeBaseId));
  if (changedOrNew.length === 0 && removed.length === 0) return null;

  const ids = changedOrNew.map((a) => a.knowledgeBaseId);
  const readable = await tx.knowledgeBase.findMany({ where: { id: { in: ids }, ...readableKnowledgeBases(actor) }, select: { id: true } });
  if (readable.length !== ids.length) {
    const missing = ids.filter((id) => !readable.some((r) => r.id === id));
    throw new AppError('validation_failed', 'knowledgeBases names a knowledge base that does not exist or that you may not read', {
      issues: [{ path: 'knowledgeBases', message: 'unknown knowledge base' }],
      knowledgeBaseIds: missing,
    });
  }
  await tx.assistantKnowledgeBase.deleteMany({ where: { assistantId, knowledgeBaseId: { in: [...removed, ...changedOrNew].map((a) => a.knowledgeBaseId) } } });
  await tx.assistantKnowledgeBase.createMany({ data: changedOrNew.map((a) => ({ assistantId, knowledgeBaseId: a.knowledgeBaseId, tags: a.tags })) });
  return { before, after };
}
