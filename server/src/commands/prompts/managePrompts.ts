import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { authorize, can, type Actor } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';
import { literalLike } from '../../db/likePattern.js';

// The prompt library. A prompt with no groups is its owner's own; one with
// groups is published to their members. Admins publish to any group, managers
// to the groups they manage (policies: prompt.publish). Published prompts are
// governed like other shared things: their changes are audited.

export interface PromptInput {
  title: string;
  text: string;
  groupIds: string[];
}

export type PromptScope = 'available' | 'mine' | 'published';

export const promptInclude = { owner: { select: { id: true, name: true } }, groups: { include: { group: { select: { id: true, name: true } } } } } as const;
export type PromptRecord = Prisma.SavedPromptGetPayload<{ include: typeof promptInclude }>;

/** Prompts the actor may use: their own, and those published to a group they belong to. */
export function availablePrompts(actor: Actor): Prisma.SavedPromptWhereInput {
  return { OR: [{ ownerId: actor.id }, { groups: { some: { groupId: { in: [...actor.groups.keys()] } } } }] };
}

/** Published prompts the actor maintains in the console: admins all, managers those in the groups they manage. */
function maintainedPrompts(actor: Actor): Prisma.SavedPromptWhereInput {
  if (actor.role === 'admin') return { groups: { some: {} } };
  const managed = [...actor.groups].filter(([, role]) => role === 'manager').map(([id]) => id);
  return { OR: [{ ownerId: actor.id, groups: { some: {} } }, { groups: { some: { groupId: { in: managed } } } }] };
}

/** The owner edits a prompt; so does whoever may publish to every group it is published to. */
export function mayEditPrompt(actor: Actor, prompt: { ownerId: string; groups: { groupId: string }[] }): boolean {
  if (prompt.ownerId === actor.id) return true;
  return prompt.groups.length > 0 && prompt.groups.every((g) => can(actor, 'prompt.publish', { kind: 'group', id: g.groupId }));
}

export async function listPrompts(s: Pick<Services, 'prisma'>, actor: Actor, q: { q?: string; scope: PromptScope; skip: number; take: number }) {
  if (q.scope === 'published') authorize(actor, 'prompt.publish');
  const scope = q.scope === 'available' ? availablePrompts(actor) : q.scope === 'mine' ? { ownerId: actor.id } : maintainedPrompts(actor);
  const search: Prisma.SavedPromptWhereInput = q.q ? { OR: [{ title: { contains: literalLike(q.q), mode: 'insensitive' } }, { text: { contains: literalLike(q.q), mode: 'insensitive' } }] } : {};
  const where = { AND: [scope, search] };
  const [rows, total] = await Promise.all([
    s.prisma.savedPrompt.findMany({ where, include: promptInclude, orderBy: [{ title: 'asc' }, { id: 'asc' }], skip: q.skip, take: q.take }),
    s.prisma.savedPrompt.count({ where }),
  ]);
  return { rows, total };
}

/** A prompt the actor may see (use, or maintain); anything else is "not found". */
export async function visiblePrompt(s: Pick<Services, 'prisma'>, actor: Actor, id: string): Promise<PromptRecord> {
  const prompt = await s.prisma.savedPrompt.findFirst({ where: { AND: [{ id }, { OR: [availablePrompts(actor), maintainedPrompts(actor)] }] }, include: promptInclude });
  if (!prompt) throw AppError.notFound('Prompt');
  return prompt;
}

function authorizeGroups(actor: Actor, groupIds: string[]): void {
  for (const id of groupIds) authorize(actor, 'prompt.publish', { kind: 'group', id });
}

async function requireGroups(tx: Prisma.TransactionClient, groupIds: string[]): Promise<void> {
  if (groupIds.length === 0) return;
  const found = await tx.group.count({ where: { id: { in: groupIds } } });
  if (found !== groupIds.length) throw AppError.notFound('Group');
}

const audited = (p: { title: string; text: string }, groupIds: string[]) => ({ title: p.title, text: p.text, groupIds });

export async function createPrompt(s: Pick<Services, 'prisma' | 'audit'>, ctx: CommandContext, input: PromptInput): Promise<PromptRecord> {
  const groupIds = [...new Set(input.groupIds)];
  authorizeGroups(ctx.actor, groupIds);
  return s.prisma.$transaction(async (tx) => {
    await requireGroups(tx, groupIds);
    const prompt = await tx.savedPrompt.create({
      data: { ownerId: ctx.actor.id, title: input.title, text: input.text, groups: { create: groupIds.map((groupId) => ({ groupId })) } },
      include: promptInclude,
    });
    if (groupIds.length) {
      await s.audit.record({ actor: auditActor(ctx.actor), action: 'prompt.publish', resource: { type: 'prompt', id: prompt.id }, newValues: audited(prompt, groupIds), meta: ctx.meta }, tx);
    }
    return prompt;
  });
}

export async function updatePrompt(s: Pick<Services, 'prisma' | 'audit'>, ctx: CommandContext, id: string, input: Partial<PromptInput>): Promise<PromptRecord> {
  const before = await visiblePrompt(s, ctx.actor, id);
  if (!mayEditPrompt(ctx.actor, before)) throw AppError.forbidden('Only the owner, or whoever publishes to its groups, may change this prompt');
  const oldGroups = before.groups.map((g) => g.groupId);
  const groupIds = input.groupIds ? [...new Set(input.groupIds)] : oldGroups;
  // Adding or withdrawing a group needs the right to publish to it.
  authorizeGroups(ctx.actor, [...groupIds.filter((g) => !oldGroups.includes(g)), ...oldGroups.filter((g) => !groupIds.includes(g))]);
  return s.prisma.$transaction(async (tx) => {
    await requireGroups(tx, groupIds);
    if (input.groupIds) {
      await tx.savedPromptGroup.deleteMany({ where: { promptId: id, groupId: { notIn: groupIds } } });
      await tx.savedPromptGroup.createMany({ data: groupIds.map((groupId) => ({ promptId: id, groupId })), skipDuplicates: true });
    }
    const prompt = await tx.savedPrompt.update({ where: { id }, data: { title: input.title, text: input.text }, include: promptInclude });
    if (oldGroups.length || groupIds.length) {
      await s.audit.record(
        { actor: auditActor(ctx.actor), action: 'prompt.update', resource: { type: 'prompt', id }, oldValues: audited(before, oldGroups), newValues: audited(prompt, groupIds), meta: ctx.meta },
        tx,
      );
    }
    return prompt;
  });
}

export async function deletePrompt(s: Pick<Services, 'prisma' | 'audit'>, ctx: CommandContext, id: string): Promise<void> {
  const before = await visiblePrompt(s, ctx.actor, id);
  if (!mayEditPrompt(ctx.actor, before)) throw AppError.forbidden('Only the owner, or whoever publishes to its groups, may delete this prompt');
  await s.prisma.$transaction(async (tx) => {
    await tx.savedPrompt.delete({ where: { id } });
    if (before.groups.length) {
      const oldValues = audited(before, before.groups.map((g) => g.groupId));
      await s.audit.record({ actor: auditActor(ctx.actor), action: 'prompt.delete', resource: { type: 'prompt', id }, oldValues, meta: ctx.meta }, tx);
    }
  });
}
