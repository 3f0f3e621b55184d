import type { PrismaClient } from '../db/database.js';
import { readableKnowledgeBases, type KnowledgeReader } from '../policies/knowledgeBases.js';

/**
 * The chunks one search may look at, as the SQL of both lists filters them:
 * whole bases (minus their files that are not ready), plus the ready files of
 * bases attached with a tag filter that carry one of its tags.
 */
export interface SearchScope {
  /** Every base searched (whole or by tag): the BM25 statistics are summed over them. */
  baseIds: string[];
  wholeBaseIds: string[];
  taggedFileIds: string[];
  /** Files of the whole bases that are being indexed or failed. */
  unreadyFileIds: string[];
  /** The bases' text search configurations: the question is analysed with each. */
  languages: string[];
}

export const emptyScope = (scope: SearchScope) => scope.wholeBaseIds.length === 0 && scope.taggedFileIds.length === 0;

/**
 * The bases attached to an assistant that the asking person may read (admins:
 * all of them; deleted bases never), with each attachment's tag filter.
 */
export async function searchScopeFor(prisma: PrismaClient, assistantId: string, reader: KnowledgeReader): Promise<SearchScope> {
  const attachments = await prisma.assistantKnowledgeBase.findMany({
    where: { assistantId, knowledgeBase: readableKnowledgeBases(reader) },
    select: { knowledgeBaseId: true, tags: true, knowledgeBase: { select: { language: true } } },
  });
  const whole = attachments.filter((a) => a.tags.length === 0).map((a) => a.knowledgeBaseId);
  const tagged = attachments.filter((a) => a.tags.length > 0);
  // Files are few next to chunks: reading their ids once keeps the chunk
  // queries on the HNSW and GIN index scans (a join would let the planner
  // drive them from the files instead).
  const [unready, taggedFiles] = await Promise.all([
    whole.length === 0 ? [] : prisma.knowledgeFile.findMany({ where: { knowledgeBaseId: { in: whole }, status: { not: 'ready' } }, select: { id: true } }),
    tagged.length === 0
      ? []
      : prisma.knowledgeFile.findMany({
          where: { status: 'ready', OR: tagged.map((a) => ({ knowledgeBaseId: a.knowledgeBaseId, tags: { hasSome: a.tags } })) },
          select: { id: true },
        }),
  ]);
  return {
    baseIds: attachments.map((a) => a.knowledgeBaseId),
    wholeBaseIds: whole,
    taggedFileIds: taggedFiles.map((f) => f.id),
    unreadyFileIds: unready.map((f) => f.id),
    languages: [...new Set(attachments.map((a) => a.knowledgeBase.language))],
  };
}

/** Parameters $n.. for the chunk filter below, in its order. */
export const scopeParameters = (scope: SearchScope) => [scope.wholeBaseIds, scope.taggedFileIds, scope.unreadyFileIds];

/** The chunk filter for a scope whose three arrays are bound from parameter `first` on. */
export function scopeFilter(first: number): string {
  return `(c.knowledge_base_id = ANY ($${first}::uuid[]) OR c.file_id = ANY ($${first + 1}::uuid[])) AND c.file_id <> ALL ($${first + 2}::uuid[])`;
}
