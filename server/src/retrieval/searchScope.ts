import type { PrismaClient } from '../db/database.js';
import { ATTACHMENT_LANGUAGE } from '../ingestion/index/chunkStore.js';
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
  /**
   * Ready attachments of the conversation being answered (docs/attachments.md):
   * only ever the asker's own, named by the answer path. Their chunks have no
   * base, so the base filters above never reach them.
   */
  attachmentIds: string[];
}

export const emptyScope = (scope: SearchScope) => scope.wholeBaseIds.length === 0 && scope.taggedFileIds.length === 0 && scope.attachmentIds.length === 0;

/**
 * The bases attached to an assistant that the asking person may read (admins:
 * all of them; deleted bases never), with each attachment's tag filter.
 */
export async function searchScopeFor(prisma: PrismaClient, assistantId: string, reader: KnowledgeReader, attachmentIds: string[] = []): Promise<SearchScope> {
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
    languages: [...new Set([...attachments.map((a) => a.knowledgeBase.language), ...(attachmentIds.length > 0 ? [ATTACHMENT_LANGUAGE] : [])])],
    attachmentIds,
  };
}

/** Parameters $n.. for the chunk filter below, in its order. */
export const scopeParameters = (scope: SearchScope) => [scope.wholeBaseIds, scope.taggedFileIds, scope.unreadyFileIds, scope.attachmentIds];

/**
 * The chunk filter for a scope whose four arrays are bound from parameter
 * `first` on. An attachment chunk (no base, no file) fails the first part
 * (NULL comparisons are never true) and is taken only by the explicit list of
 * attachment ids.
 */
export function scopeFilter(first: number): string {
  return `(((c.knowledge_base_id = ANY ($${first}::uuid[]) OR c.file_id = ANY ($${first + 1}::uuid[])) AND c.file_id <> ALL ($${first + 2}::uuid[])) OR c.attachment_id = ANY ($${first + 3}::uuid[]))`;
}
