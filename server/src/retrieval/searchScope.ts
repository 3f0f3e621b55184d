import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../db/generated/client.js';
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
 * all of them; deleted bases never), with each attachment's tag filter, and
 * the conversation's ready attachments named by the answer path.
 */
export async function searchScopeFor(prisma: PrismaClient, assistantId: string, reader: KnowledgeReader, attachmentIds: string[] = []): Promise<SearchScope> {
  const { where, select } = readableLinks(reader);
  return withAttachments(await scopeOfLinks(prisma, await prisma.assistantKnowledgeBase.findMany({ where: { assistantId, ...where }, select })), attachmentIds);
}

export function withAttachments(scope: SearchScope, attachmentIds: string[]): SearchScope {
  if (attachmentIds.length === 0) return scope;
  return { ...scope, languages: [...new Set([...scope.languages, ATTACHMENT_LANGUAGE])], attachmentIds };
}

const LINK_SELECT = {
  knowledgeBaseId: true,
  tags: true,
  knowledgeBase: { select: { language: true, files: { where: { status: { not: 'ready' } }, select: { id: true } } } },
} satisfies Prisma.AssistantKnowledgeBaseSelect;

/** One attached base as a scope is built from: its tag filter, language and files not ready. */
export type ScopeLink = Prisma.AssistantKnowledgeBaseGetPayload<{ select: typeof LINK_SELECT }>;

/**
 * An assistant's attached bases a reader may read, as the arguments of its
 * `knowledgeBases` relation (searchScopeFor; the read a question starts with,
 * turnToAnswerIn, selects the same in SQL). Files
 * are few next to chunks: reading their ids first keeps the chunk queries on
 * the HNSW and GIN index scans (a join would let the planner drive them from
 * the files instead).
 */
export function readableLinks(reader: KnowledgeReader) {
  return { where: { knowledgeBase: readableKnowledgeBases(reader) }, select: LINK_SELECT } satisfies Prisma.Assistant$knowledgeBasesArgs;
}

/** The scope of these attached bases; the files of tag-filtered ones are one more read. */
export async function scopeOfLinks(prisma: PrismaClient, links: ScopeLink[]): Promise<SearchScope> {
  const whole = links.filter((a) => a.tags.length === 0);
  const tagged = links.filter((a) => a.tags.length > 0);
  const taggedFiles =
    tagged.length === 0
      ? []
      : await prisma.knowledgeFile.findMany({
          where: { status: 'ready', OR: tagged.map((a) => ({ knowledgeBaseId: a.knowledgeBaseId, tags: { hasSome: a.tags } })) },
          select: { id: true },
        });
  return {
    baseIds: links.map((a) => a.knowledgeBaseId),
    wholeBaseIds: whole.map((a) => a.knowledgeBaseId),
    taggedFileIds: taggedFiles.map((f) => f.id),
    unreadyFileIds: whole.flatMap((a) => a.knowledgeBase.files.map((f) => f.id)),
    languages: [...new Set(links.map((a) => a.knowledgeBase.language))],
    attachmentIds: [],
  };
}

/**
 * The chunk filter of a scope, its arrays bound from parameter `first` on:
 * `sql` for the WHERE clause and `parameters` to append, in order. Only the
 * scope's non-empty parts are written, so the common search (whole bases, no
 * tag filter, no attachment) is a plain `knowledge_base_id = ANY (...)` that
 * the planner can put inside the (knowledge_base_id, tsv) GIN scan; an OR
 * with always-empty arms would leave it matching every base's rows and
 * filtering them on the heap. An attachment chunk (no base, no file) is taken
 * only by the explicit list of attachment ids.
 */
export function scopeFilter(scope: SearchScope, first: number): { sql: string; parameters: string[][] } {
  const parameters: string[][] = [];
  const bind = (ids: string[]) => `$${first + parameters.push(ids) - 1}::uuid[]`;
  const parts: string[] = [];
  if (scope.wholeBaseIds.length > 0) {
    const base = `c.knowledge_base_id = ANY (${bind(scope.wholeBaseIds)})`;
    parts.push(scope.unreadyFileIds.length > 0 ? `(${base} AND c.file_id <> ALL (${bind(scope.unreadyFileIds)}))` : base);
  }
  if (scope.taggedFileIds.length > 0) parts.push(`c.file_id = ANY (${bind(scope.taggedFileIds)})`);
  if (scope.attachmentIds.length > 0) parts.push(`c.attachment_id = ANY (${bind(scope.attachmentIds)})`);
  // emptyScope() is checked before searching; FALSE keeps the SQL valid regardless.
  return { sql: parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`, parameters };
}
