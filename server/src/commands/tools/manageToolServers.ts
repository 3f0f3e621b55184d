import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { sealApiKey } from '../../governance/keyVaultErrors.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';

// Admins register the MCP servers assistants may call (issue 16): where the
// server is, the headers it needs (sealed like API keys, never returned), which
// of its tools are switched off or ask the user first, which groups may use it and which assistants
// offer it. Every change is audited without header values.

export interface ToolServerInput {
  name: string;
  url: string;
  enabled?: boolean;
  /** Replaces every header; null removes them. Values are write-only. */
  headers?: Record<string, string> | null;
  disabledTools?: string[];
  /** Tools whose calls wait for the asking user's approval. */
  askFirstTools?: string[];
  groupIds?: string[];
  assistantIds?: string[];
}

type Deps = Pick<Services, 'prisma' | 'audit' | 'keyVault' | 'toolServers'>;

export const toolServerWithLinks = { groups: { select: { groupId: true } }, assistants: { select: { assistantId: true } } } as const;

async function assertNameFree(tx: Prisma.TransactionClient, name: string, exceptId?: string) {
  const clash = await tx.toolServer.findFirst({ where: { name: { equals: name, mode: 'insensitive' }, ...(exceptId ? { NOT: { id: exceptId } } : {}) }, select: { id: true } });
  if (clash) throw new AppError('conflict', 'A tool server with this name already exists', { field: 'name' });
}

async function assertLinksExist(tx: Prisma.TransactionClient, input: Partial<ToolServerInput>) {
  if (input.groupIds?.length) {
    const found = await tx.group.count({ where: { id: { in: input.groupIds } } });
    if (found !== new Set(input.groupIds).size) throw new AppError('validation_failed', 'groupIds names a group that does not exist', { issues: [{ path: 'groupIds', message: 'unknown group' }] });
  }
  if (input.assistantIds?.length) {
    const found = await tx.assistant.count({ where: { id: { in: input.assistantIds }, deletedAt: null } });
    if (found !== new Set(input.assistantIds).size) {
      throw new AppError('validation_failed', 'assistantIds names an assistant that does not exist', { issues: [{ path: 'assistantIds', message: 'unknown assistant' }] });
    }
  }
}

// A declared stdio server is matched to its declaration by name and runs what
// the operator wrote: its name, address and headers are not the console's to change.
function assertOperatorFieldsUntouched(input: Partial<ToolServerInput>) {
  const fixed = (['name', 'url', 'headers'] as const).filter((field) => input[field] !== undefined);
  if (fixed.length > 0) {
    throw new AppError('validation_failed', 'This server is declared by the operator (MCP_STDIO_SERVERS): only who may use it, its assistants, tools and switch can change here', {
      issues: fixed.map((path) => ({ path, message: 'set by the operator' })),
    });
  }
}

/** The sealed columns for a set of headers (or none). */
function sealedHeaders(s: Deps, headers: Record<string, string> | null, rowId: string) {
  const names = headers ? Object.keys(headers).sort() : [];
  if (!headers || names.length === 0) return { headerNames: [], ciphertext: null, iv: null, authTag: null, wrappedDataKey: null, masterKeyId: null };
  return { headerNames: names, ...sealApiKey(s.keyVault, JSON.stringify(headers), rowId) };
}

function auditedValues(
  server: { name: string; url: string; enabled: boolean; headerNames: string[]; disabledTools: string[]; askFirstTools: string[] },
  links: { groupIds?: string[]; assistantIds?: string[] },
) {
  return { name: server.name, url: server.url, enabled: server.enabled, headerNames: server.headerNames, disabledTools: server.disabledTools, askFirstTools: server.askFirstTools, ...links };
}

export async function createToolServer(s: Deps, ctx: CommandContext, input: ToolServerInput) {
  authorize(ctx.actor, 'toolServer.manage');
  const id = randomUUID();
  const created = await s.prisma.$transaction(async (tx) => {
    await assertNameFree(tx, input.name);
    await assertLinksExist(tx, input);
    const server = await tx.toolServer.create({
      data: {
        id,
        name: input.name,
        url: input.url,
        enabled: input.enabled ?? true,
        disabledTools: input.disabledTools ?? [],
        askFirstTools: input.askFirstTools ?? [],
        createdById: ctx.actor.id,
        ...sealedHeaders(s, input.headers ?? null, id),
        groups: { create: (input.groupIds ?? []).map((groupId) => ({ groupId })) },
        assistants: { create: (input.assistantIds ?? []).map((assistantId) => ({ assistantId })) },
      },
      include: toolServerWithLinks,
    });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'tool_server.create',
        resource: { type: 'tool_server', id },
        newValues: auditedValues(server, { groupIds: input.groupIds ?? [], assistantIds: input.assistantIds ?? [] }),
        meta: ctx.meta,
      },
      tx,
    );
    return server;
  });
  s.toolServers.forget(id);
  return created;
}

export async function updateToolServer(s: Deps, ctx: CommandContext, id: string, input: Partial<ToolServerInput>) {
  authorize(ctx.actor, 'toolServer.manage');
  const server = await s.prisma.$transaction(async (tx) => {
    const before = await tx.toolServer.findUnique({ where: { id }, include: toolServerWithLinks });
    if (!before) throw AppError.notFound('Tool server');
    if (before.transport === 'stdio') assertOperatorFieldsUntouched(input);
    if (input.name !== undefined && input.name !== before.name) await assertNameFree(tx, input.name, id);
    await assertLinksExist(tx, input);
    const after = await tx.toolServer.update({
      where: { id },
      data: {
        name: input.name,
        url: input.url,
        enabled: input.enabled,
        disabledTools: input.disabledTools,
        askFirstTools: input.askFirstTools,
        ...(input.headers !== undefined ? sealedHeaders(s, input.headers, id) : {}),
        ...(input.groupIds ? { groups: { deleteMany: {}, create: input.groupIds.map((groupId) => ({ groupId })) } } : {}),
        ...(input.assistantIds ? { assistants: { deleteMany: {}, create: input.assistantIds.map((assistantId) => ({ assistantId })) } } : {}),
      },
      include: toolServerWithLinks,
    });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'tool_server.update',
        resource: { type: 'tool_server', id },
        oldValues: auditedValues(before, { groupIds: before.groups.map((g) => g.groupId), assistantIds: before.assistants.map((a) => a.assistantId) }),
        newValues: { ...auditedValues(after, { groupIds: after.groups.map((g) => g.groupId), assistantIds: after.assistants.map((a) => a.assistantId) }), headersReplaced: input.headers !== undefined },
        meta: ctx.meta,
      },
      tx,
    );
    return after;
  });
  s.toolServers.forget(id);
  return server;
}

export async function deleteToolServer(s: Deps, ctx: CommandContext, id: string): Promise<void> {
  authorize(ctx.actor, 'toolServer.manage');
  await s.prisma.$transaction(async (tx) => {
    const before = await tx.toolServer.findUnique({ where: { id } });
    if (!before) throw AppError.notFound('Tool server');
    if (before.transport === 'stdio' && s.toolServers.declarationOf(before.name)) {
      throw new AppError('conflict', 'This server is declared by the operator; remove it from MCP_STDIO_SERVERS first (switch it off to stop offering its tools)');
    }
    await tx.toolServer.delete({ where: { id } });
    await s.audit.record({ actor: auditActor(ctx.actor), action: 'tool_server.delete', resource: { type: 'tool_server', id }, oldValues: { name: before.name, url: before.url }, meta: ctx.meta }, tx);
  });
  s.toolServers.forget(id);
}

/** Connects afresh and lists the server's tools, each marked enabled or not; a failure is reported, not thrown. */
export async function testToolServer(s: Deps, ctx: CommandContext, id: string) {
  authorize(ctx.actor, 'toolServer.manage');
  const server = await s.prisma.toolServer.findUnique({ where: { id } });
  if (!server) throw AppError.notFound('Tool server');
  s.toolServers.forget(id);
  const started = performance.now();
  try {
    const tools = await s.toolServers.tools(server);
    return {
      ok: true,
      latencyMs: Math.round(performance.now() - started),
      tools: tools.map((t) => ({ name: t.name, description: t.description, enabled: !server.disabledTools.includes(t.name), askFirst: server.askFirstTools.includes(t.name) })),
      error: null,
    };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), tools: [], error: (error as Error).message };
  }
}
