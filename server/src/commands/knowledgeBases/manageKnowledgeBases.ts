import type { Prisma } from '../../db/generated/client.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { assertGroupsExist } from '../assistants/assistantSettings.js';
import { auditActor, type CommandContext } from '../context.js';
import { assertLanguage, assertMayGrant, knowledgeBaseFor, knowledgeBaseRelations, type KnowledgeBaseRecord } from './knowledgeBaseAccess.js';

export interface KnowledgeBaseSettings {
  name?: string;
  description?: string;
  tags?: string[];
  language?: string;
  /** Replace the set of groups whose managers maintain the base. */
  maintainerGroupIds?: string[];
  /** Replace the set of groups whose members may read it. */
  readerGroupIds?: string[];
}

type Tx = Prisma.TransactionClient;
const unique = (values: string[]) => [...new Set(values)];

/** Admins and managers create bases; a manager may grant access only to groups they manage. */
export async function createKnowledgeBase(s: Services, ctx: CommandContext, input: KnowledgeBaseSettings & { name: string }): Promise<KnowledgeBaseRecord> {
  authorize(ctx.actor, 'assistant.create');
  const maintainers = unique(input.maintainerGroupIds ?? []);
  const readers = unique(input.readerGroupIds ?? []);
  assertMayGrant(ctx.actor, [...maintainers, ...readers]);
  return s.prisma.$transaction(async (tx) => {
    await assertGroupsExist(tx, [...new Set([...maintainers, ...readers])]);
    if (input.language) await assertLanguage(tx, input.language);
    const base = await tx.knowledgeBase.create({
      data: {
        name: input.name,
        description: input.description,
        tags: unique(input.tags ?? []),
        language: input.language,
        createdById: ctx.actor.id,
        maintainers: { create: maintainers.map((groupId) => ({ groupId })) },
        readers: { create: readers.map((groupId) => ({ groupId })) },
      },
      include: knowledgeBaseRelations,
    });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'knowledge_base.create',
        resource: { type: 'knowledge_base', id: base.id },
        newValues: { name: base.name, description: base.description, tags: base.tags, language: base.language, maintainerGroupIds: maintainers, readerGroupIds: readers },
        meta: ctx.meta,
      },
      tx,
    );
    return base;
  });
}

/**
 * Changes a base. A new language re-parses its chunks' full text in the same
 * transaction (the column is generated from `chunks.language`; the statistics
 * triggers follow); vectors are untouched. Group sets are replaced, but a
 * manager adds or removes only groups they manage.
 */
export async function updateKnowledgeBase(s: Services, ctx: CommandContext, id: string, input: KnowledgeBaseSettings): Promise<KnowledgeBaseRecord> {
  return s.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM knowledge_bases WHERE id = ${id}::uuid FOR UPDATE`;
    const before = await knowledgeBaseFor({ prisma: tx }, ctx.actor, id, 'manage');
    const maintainers = groupChange(before.maintainers, input.maintainerGroupIds);
    const readers = groupChange(before.readers, input.readerGroupIds);
    assertMayGrant(ctx.actor, [...maintainers.added, ...maintainers.removed, ...readers.added, ...readers.removed]);
    await assertGroupsExist(tx, [...new Set([...maintainers.added, ...readers.added])]);
    if (input.language !== undefined && input.language !== before.language) await assertLanguage(tx, input.language);

    const fields = (['name', 'description', 'language'] as const).filter((k) => input[k] !== undefined && input[k] !== before[k]);
    const tags = input.tags !== undefined ? unique(input.tags) : undefined;
    const tagsChanged = tags !== undefined && JSON.stringify(tags) !== JSON.stringify(before.tags);
    if (!fields.length && !tagsChanged && !maintainers.changed && !readers.changed) return before;

    const updated = await tx.knowledgeBase.update({
      where: { id },
      data: {
        ...Object.fromEntries(fields.map((k) => [k, input[k]])),
        ...(tagsChanged ? { tags } : {}),
        maintainers: maintainers.changed ? { deleteMany: { groupId: { in: maintainers.removed } }, create: maintainers.added.map((groupId) => ({ groupId })) } : undefined,
        readers: readers.changed ? { deleteMany: { groupId: { in: readers.removed } }, create: readers.added.map((groupId) => ({ groupId })) } : undefined,
      },
      include: knowledgeBaseRelations,
    });
    if (fields.includes('language')) await reparseChunks(tx, id, updated.language);

    const oldValues: Record<string, unknown> = Object.fromEntries(fields.map((k) => [k, before[k]]));
    const newValues: Record<string, unknown> = Object.fromEntries(fields.map((k) => [k, updated[k]]));
    if (tagsChanged) {
      oldValues.tags = before.tags;
      newValues.tags = updated.tags;
    }
    if (maintainers.changed) {
      oldValues.maintainerGroupIds = maintainers.before;
      newValues.maintainerGroupIds = maintainers.after;
    }
    if (readers.changed) {
      oldValues.readerGroupIds = readers.before;
      newValues.readerGroupIds = readers.after;
    }
    await s.audit.record({ actor: auditActor(ctx.actor), action: 'knowledge_base.update', resource: { type: 'knowledge_base', id }, oldValues, newValues, meta: ctx.meta }, tx);
    return updated;
  });
}

/**
 * Soft delete: no assistant searches the base any more; its files stay until
 * an operator purges them. It stops being an assistant's own base, so that
 * assistant's next upload starts a new one.
 */
export async function deleteKnowledgeBase(s: Services, ctx: CommandContext, id: string): Promise<void> {
  await s.prisma.$transaction(async (tx) => {
    const base = await knowledgeBaseFor({ prisma: tx }, ctx.actor, id, 'manage');
    const { deletedAt } = await tx.knowledgeBase.update({ where: { id }, data: { deletedAt: new Date(), assistantId: null } });
    await s.audit.record(
      { actor: auditActor(ctx.actor), action: 'knowledge_base.delete', resource: { type: 'knowledge_base', id }, oldValues: { name: base.name, deletedAt: null }, newValues: { deletedAt }, meta: ctx.meta },
      tx,
    );
  });
}

/** Every chunk of the base takes the new configuration; Postgres regenerates tsv from it. */
export async function reparseChunks(tx: Tx, knowledgeBaseId: string, language: string): Promise<void> {
  await tx.$executeRaw`UPDATE chunks SET language = ${language}::regconfig WHERE knowledge_base_id = ${knowledgeBaseId}::uuid`;
}

function groupChange(current: { groupId: string }[], next: string[] | undefined) {
  const before = current.map((g) => g.groupId).sort();
  const after = next === undefined ? before : unique(next).sort();
  const added = after.filter((g) => !before.includes(g));
  const removed = before.filter((g) => !after.includes(g));
  return { before, after, added, removed, changed: added.length > 0 || removed.length > 0 };
}
