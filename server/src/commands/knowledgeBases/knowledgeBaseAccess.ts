import type { PrismaClient } from '../../db/database.js';
import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { authorize, can } from '../../policies/index.js';
import type { Actor } from '../../policies/actor.js';
import { manageableKnowledgeBases, readableKnowledgeBases } from '../../policies/knowledgeBases.js';

/** What every base read loads: its groups (for policies and the presenter) and how many files it holds. */
export const knowledgeBaseRelations = {
  maintainers: { select: { groupId: true } },
  readers: { select: { groupId: true } },
  _count: { select: { files: true, attachments: true } },
} as const satisfies Prisma.KnowledgeBaseInclude;

export type KnowledgeBaseRecord = Prisma.KnowledgeBaseGetPayload<{ include: typeof knowledgeBaseRelations }>;

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Loads a base the actor is about to act on. The console's people (admins,
 * managers) see the bases they may read; one they may not is "not found",
 * one they may read but not manage is "forbidden" for `manage`.
 */
export async function knowledgeBaseFor(s: { prisma: Db }, actor: Actor, id: string, need: 'read' | 'manage'): Promise<KnowledgeBaseRecord> {
  authorize(actor, 'console.open');
  const base = await s.prisma.knowledgeBase.findFirst({ where: { id, ...readableKnowledgeBases(actor) }, include: knowledgeBaseRelations });
  if (!base) throw AppError.notFound('Knowledge base');
  if (need === 'manage' && !(await mayManage(s, actor, id))) throw AppError.forbidden();
  return base;
}

export async function mayManage(s: { prisma: Db }, actor: Actor, id: string): Promise<boolean> {
  return (await s.prisma.knowledgeBase.count({ where: { id, ...manageableKnowledgeBases(actor) } })) > 0;
}

/** Maintaining or reading a base is granted to a group by those who manage the group (as sharing an assistant is). */
export function assertMayGrant(actor: Actor, groupIds: string[]): void {
  const foreign = groupIds.filter((id) => !can(actor, 'assistant.share', { kind: 'group', id }));
  if (foreign.length) throw new AppError('forbidden', 'You can only grant access to, or withdraw it from, groups you manage', { groupIds: foreign });
}

/** A base's language must name a text search configuration the database has (english, german, simple ...). */
export async function assertLanguage(tx: Db, language: string): Promise<void> {
  const found = await tx.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok FROM pg_ts_config WHERE cfgname = ${language}`;
  if (found.length === 0) {
    throw new AppError('validation_failed', `language "${language}" is not a text search configuration of this database`, {
      issues: [{ path: 'language', message: 'is not a known text search configuration' }],
    });
  }
}

/** The text search configurations a base may use. */
export async function knowledgeLanguages(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ name: string }[]>`SELECT cfgname::text AS name FROM pg_ts_config ORDER BY cfgname`;
  return rows.map((r) => r.name);
}
