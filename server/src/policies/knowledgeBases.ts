import { Prisma } from '../db/generated/client.js';
import type { Actor } from './actor.js';

/** What deciding who reads a knowledge base needs to know of a person. */
export type KnowledgeReader = Pick<Actor, 'id' | 'role' | 'groups'>;

const managedGroups = (actor: KnowledgeReader) => [...actor.groups].filter(([, role]) => role === 'manager').map(([groupId]) => groupId);

/**
 * Bases a person may manage (their files, settings, sharing): admins all,
 * managers those one of their managed groups maintains or that they created.
 */
export function manageableKnowledgeBases(actor: KnowledgeReader): Prisma.KnowledgeBaseWhereInput {
  if (actor.role === 'admin') return { deletedAt: null };
  if (actor.role !== 'manager') return { id: { in: [] } };
  return { deletedAt: null, OR: [{ maintainers: { some: { groupId: { in: managedGroups(actor) } } } }, { createdById: actor.id }] };
}

/**
 * Bases whose passages a person may receive: admins all, everyone else those
 * read by one of their groups, and managers also those they may manage.
 * Retrieval filters every assistant's attached bases through this.
 */
export function readableKnowledgeBases(actor: KnowledgeReader): Prisma.KnowledgeBaseWhereInput {
  if (actor.role === 'admin') return { deletedAt: null };
  const read: Prisma.KnowledgeBaseWhereInput = { readers: { some: { groupId: { in: [...actor.groups.keys()] } } } };
  if (actor.role !== 'manager') return { deletedAt: null, ...read };
  return { deletedAt: null, OR: [read, { maintainers: { some: { groupId: { in: managedGroups(actor) } } } }, { createdById: actor.id }] };
}

/**
 * readableKnowledgeBases as a condition on `knowledge_bases AS kb`, for reads
 * written in SQL (the same cases, in the same order). An empty group list is
 * bound as '{}' rather than written as FALSE, so every reader of a role
 * shares one statement text (one prepared statement).
 */
export function readableKnowledgeBasesSql(actor: KnowledgeReader): Prisma.Sql {
  if (actor.role === 'admin') return Prisma.sql`kb.deleted_at IS NULL`;
  const read = Prisma.sql`EXISTS (SELECT 1 FROM knowledge_base_readers kr WHERE kr.knowledge_base_id = kb.id AND kr.group_id = ANY(${[...actor.groups.keys()]}::uuid[]))`;
  if (actor.role !== 'manager') return Prisma.sql`kb.deleted_at IS NULL AND ${read}`;
  const maintained = Prisma.sql`EXISTS (SELECT 1 FROM knowledge_base_maintainers km WHERE km.knowledge_base_id = kb.id AND km.group_id = ANY(${managedGroups(actor)}::uuid[]))`;
  return Prisma.sql`kb.deleted_at IS NULL AND (${read} OR ${maintained} OR kb.created_by_id = ${actor.id}::uuid)`;
}

/** Reads every attached base: offline evaluation and tuning, which search for no one in particular. */
export const everyAttachedBase: KnowledgeReader = { id: '00000000-0000-0000-0000-000000000000', role: 'admin', groups: new Map() };

/**
 * Web sources a person may see and change: those of the bases they may
 * manage. They fetch from the network and write into the base, so reading a
 * base is not enough; anyone else gets "not found".
 */
export function manageableWebSources(actor: KnowledgeReader): Prisma.WebSourceWhereInput {
  return { knowledgeBase: manageableKnowledgeBases(actor) };
}
