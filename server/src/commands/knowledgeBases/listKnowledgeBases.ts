import type { Prisma } from '../../db/generated/client.js';
import { authorize } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';
import { manageableKnowledgeBases, readableKnowledgeBases } from '../../policies/knowledgeBases.js';
import type { Services } from '../../services.js';
import { knowledgeBaseRelations } from './knowledgeBaseAccess.js';
import { literalLike } from '../../db/likePattern.js';

export interface KnowledgeBaseListRequest {
  page: number;
  pageSize: number;
  sort: 'name' | 'createdAt';
  order: 'asc' | 'desc';
  q?: string;
  tag?: string;
}

/** The bases the actor may read (admins: all), with which of them they may manage. */
export async function listKnowledgeBases(s: Pick<Services, 'prisma'>, actor: Actor, query: KnowledgeBaseListRequest) {
  authorize(actor, 'console.open');
  const where: Prisma.KnowledgeBaseWhereInput = {
    AND: [
      readableKnowledgeBases(actor),
      query.tag ? { tags: { has: query.tag } } : {},
      query.q ? { name: { contains: literalLike(query.q), mode: 'insensitive' } } : {},
    ],
  };
  const [rows, total, manageable] = await Promise.all([
    s.prisma.knowledgeBase.findMany({
      where,
      include: knowledgeBaseRelations,
      orderBy: [{ [query.sort]: query.order }, { id: 'asc' }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    }),
    s.prisma.knowledgeBase.count({ where }),
    s.prisma.knowledgeBase.findMany({ where: { AND: [where, manageableKnowledgeBases(actor)] }, select: { id: true } }),
  ]);
  const mayManage = new Set(manageable.map((m) => m.id));
  return { rows: rows.map((row) => ({ row, manage: mayManage.has(row.id) })), total };
}

export interface KnowledgeFileFilter {
  tag?: string;
  folder?: string;
  q?: string;
}

/** A base's files, newest first: by tag, by folder (and its subfolders), by part of the name. */
export async function listKnowledgeFiles(s: Pick<Services, 'prisma'>, knowledgeBaseId: string, filter: KnowledgeFileFilter) {
  return s.prisma.knowledgeFile.findMany({
    where: {
      knowledgeBaseId,
      ...(filter.tag ? { tags: { has: filter.tag } } : {}),
      ...(filter.folder ? { OR: [{ folder: filter.folder }, { folder: { startsWith: `${filter.folder}/` } }] } : {}),
      ...(filter.q ? { originalName: { contains: literalLike(filter.q), mode: 'insensitive' as const } } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
  });
}
