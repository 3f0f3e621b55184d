import { AppError } from '../../errors/appError.js';
import { memoryState, type MemoryState } from '../../memory/memoryAccess.js';
import { auditMemory, embedMemory, memorySelect, updateMemoryText, type MemoryRecord } from '../../memory/memoryStore.js';
import { keepInTx, saveMemory } from '../../memory/saveMemory.js';
import { clipNote } from '../../memory/memoryCue.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

// A user's own memories, from the Memory page. Every read and write is scoped
// to the caller: another user's memory is "not found", an admin's included.
// Seeing, exporting and deleting work whatever the switch; adding and keeping
// need memory on (and not turned off for one of the user's groups).

type Deps = Pick<Services, 'db' | 'prisma' | 'audit' | 'embedder'>;

export async function setMemoryEnabled(s: Deps, ctx: CommandContext, enabled: boolean): Promise<MemoryState> {
  await s.prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: ctx.actor.id }, data: { memoryEnabled: enabled } });
    await auditMemory(s.audit, tx, { actor: auditActor(ctx.actor), action: 'memory.settings', id: ctx.actor.id, values: { enabled }, meta: ctx.meta });
  });
  return memoryState(s.db, ctx.actor.id);
}

async function requireActive(s: Deps, userId: string): Promise<void> {
  const state = await memoryState(s.db, userId);
  if (!state.allowed) throw AppError.forbidden('An administrator has turned memory off for one of your groups');
  if (!state.enabled) throw AppError.forbidden('Turn memory on first');
}

export function listMemories(s: Pick<Services, 'prisma'>, ctx: Pick<CommandContext, 'actor'>, status?: 'kept' | 'proposed'): Promise<MemoryRecord[]> {
  return s.prisma.memory.findMany({ where: { userId: ctx.actor.id, ...(status ? { status } : {}) }, select: memorySelect, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
}

export async function ownMemory(s: Pick<Services, 'prisma'>, ctx: Pick<CommandContext, 'actor'>, id: string): Promise<MemoryRecord> {
  const memory = await s.prisma.memory.findFirst({ where: { id, userId: ctx.actor.id }, select: memorySelect });
  if (!memory) throw AppError.notFound('Memory');
  return memory;
}

export async function addMemory(s: Deps, ctx: CommandContext, text: string): Promise<MemoryRecord> {
  await requireActive(s, ctx.actor.id);
  return saveMemory(s, { actor: auditActor(ctx.actor), meta: ctx.meta }, { userId: ctx.actor.id, text, status: 'kept', origin: 'manual', conversationId: null });
}

export async function updateMemory(s: Deps, ctx: CommandContext, id: string, text: string): Promise<MemoryRecord> {
  const before = await ownMemory(s, ctx, id);
  const note = clipNote(text);
  if (note === before.text) return before;
  const embedding = await embedMemory(s.embedder, note);
  return s.prisma.$transaction(async (tx) => {
    const memory = await updateMemoryText(tx, id, note, embedding);
    if (memory.status === 'kept') await auditMemory(s.audit, tx, { actor: auditActor(ctx.actor), action: 'memory.update', id, values: { origin: memory.origin }, meta: ctx.meta });
    return memory;
  });
}

/** Keeps a proposal: it is recalled from now on. */
export async function keepMemory(s: Deps, ctx: CommandContext, id: string): Promise<MemoryRecord> {
  const memory = await ownMemory(s, ctx, id);
  if (memory.status === 'kept') return memory;
  await requireActive(s, ctx.actor.id);
  return s.prisma.$transaction((tx) => keepInTx(s, tx, { actor: auditActor(ctx.actor), meta: ctx.meta }, id));
}

/** Deletes a memory, or discards a proposal (which was never kept, so is not audited). */
export async function deleteMemory(s: Deps, ctx: CommandContext, id: string): Promise<void> {
  const memory = await ownMemory(s, ctx, id);
  await s.prisma.$transaction(async (tx) => {
    await tx.memory.delete({ where: { id } });
    if (memory.status === 'kept') await auditMemory(s.audit, tx, { actor: auditActor(ctx.actor), action: 'memory.delete', id, values: { origin: memory.origin }, meta: ctx.meta });
  });
}

export async function deleteAllMemories(s: Deps, ctx: CommandContext): Promise<number> {
  return s.prisma.$transaction(async (tx) => {
    const { count } = await tx.memory.deleteMany({ where: { userId: ctx.actor.id } });
    await auditMemory(s.audit, tx, { actor: auditActor(ctx.actor), action: 'memory.delete_all', id: ctx.actor.id, values: { count }, meta: ctx.meta });
    return count;
  });
}
