import { announceAccessChange } from '../../auth/accountCache.js';
import type { Group, GroupMembership, Prisma } from '../../db/generated/client.js';
import { scimActor, type ScimContext } from './scimContext.js';
import { ScimError } from './scimErrors.js';
import { listResponse, paging, parseEqFilter, patchOperations } from './scimFilter.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
type Tx = Prisma.TransactionClient;
type GroupWithMembers = Group & { memberships: (GroupMembership & { user: { email: string } })[] };

export function presentScimGroup(ctx: ScimContext, g: GroupWithMembers, withMembers = true) {
  return {
    schemas: [GROUP_SCHEMA],
    id: g.id,
    externalId: g.externalId ?? undefined,
    displayName: g.name,
    ...(withMembers ? { members: g.memberships.map((m) => ({ value: m.userId, display: m.user.email, $ref: `${ctx.baseUrl}/Users/${m.userId}` })) } : {}),
    meta: { resourceType: 'Group', created: g.createdAt.toISOString(), lastModified: g.updatedAt.toISOString(), location: `${ctx.baseUrl}/Groups/${g.id}` },
  };
}

const withMembers = { memberships: { include: { user: { select: { email: true } } } } } as const;

async function findGroup(tx: Tx, id: string): Promise<GroupWithMembers> {
  const group = /^[0-9a-f-]{36}$/i.test(id) ? await tx.group.findUnique({ where: { id }, include: withMembers }) : null;
  if (!group) throw ScimError.notFound('Group', id);
  return group;
}

/** `excludedAttributes=members` (Entra ID) leaves the member list out. */
const membersWanted = (query: Record<string, unknown>) => !String(query.excludedAttributes ?? '').toLowerCase().split(',').includes('members');

export async function listScimGroups(ctx: ScimContext, query: Record<string, unknown>) {
  const filter = parseEqFilter(typeof query.filter === 'string' ? query.filter : undefined, ['displayName', 'externalId']);
  const where: Prisma.GroupWhereInput = !filter ? {} : filter.attribute === 'externalId' ? { externalId: filter.value } : { name: filter.value };
  const { skip, take, startIndex } = paging(query);
  const [groups, total] = await Promise.all([
    ctx.s.prisma.group.findMany({ where, include: withMembers, orderBy: { createdAt: 'asc' }, skip, take }),
    ctx.s.prisma.group.count({ where }),
  ]);
  return listResponse(groups.map((g) => presentScimGroup(ctx, g, membersWanted(query))), total, startIndex);
}

export async function getScimGroup(ctx: ScimContext, id: string, query: Record<string, unknown>) {
  return presentScimGroup(ctx, await findGroup(ctx.s.prisma, id), membersWanted(query));
}

function memberIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value == null ? [] : [value];
  return list.map((m) => {
    const id = (m as { value?: unknown })?.value;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new ScimError(400, `A member needs the value of a User id, got ${JSON.stringify(m)}`, 'invalidValue');
    return id;
  });
}

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || !value.trim() || value.length > 200) throw new ScimError(400, 'displayName must be a non-empty string', 'invalidValue');
  return value.trim();
}

/**
 * Membership changes made by SCIM touch only memberships SCIM made: someone
 * added by hand in the console stays, whatever the provider sends.
 */
async function changeMembers(tx: Tx, groupId: string, add: string[], remove: string[] | 'all-scim'): Promise<{ added: string[]; removed: string[] }> {
  const removeWhere = remove === 'all-scim' ? { groupId, source: 'scim' } : { groupId, source: 'scim', userId: { in: remove } };
  const gone = remove === 'all-scim' || remove.length ? await tx.groupMembership.findMany({ where: removeWhere, select: { userId: true } }) : [];
  if (gone.length) await tx.groupMembership.deleteMany({ where: removeWhere });
  const known = add.length ? await tx.user.findMany({ where: { id: { in: add } }, select: { id: true } }) : [];
  if (known.length !== new Set(add).size) throw new ScimError(400, 'A member is not a known User', 'invalidValue');
  const held = new Set((await tx.groupMembership.findMany({ where: { groupId, userId: { in: add } }, select: { userId: true } })).map((m) => m.userId));
  const added = [...new Set(add)].filter((id) => !held.has(id));
  if (added.length) await tx.groupMembership.createMany({ data: added.map((userId) => ({ groupId, userId, source: 'scim' })) });
  return { added, removed: gone.map((m) => m.userId).filter((id) => !added.includes(id)) };
}

async function audited(ctx: ScimContext, tx: Tx, groupId: string, action: string, oldValues: unknown, newValues: unknown) {
  await ctx.s.audit.record({ actor: scimActor(ctx), action, resource: { type: 'group', id: groupId }, oldValues, newValues, meta: ctx.meta }, tx);
}

async function assertNameFree(tx: Tx, name: string, exceptId?: string) {
  const taken = await tx.group.findUnique({ where: { name }, select: { id: true } });
  if (taken && taken.id !== exceptId) throw new ScimError(409, `A group named ${name} already exists`, 'uniqueness');
}

export async function createScimGroup(ctx: ScimContext, body: Record<string, unknown>) {
  const name = displayNameOf(body.displayName);
  const group = await ctx.s.prisma.$transaction(async (tx) => {
    await assertNameFree(tx, name);
    const externalId = typeof body.externalId === 'string' ? body.externalId : null;
    const created = await tx.group.create({ data: { name, externalId } });
    const { added } = await changeMembers(tx, created.id, memberIds(body.members), []);
    await audited(ctx, tx, created.id, 'scim.group_create', undefined, { name, externalId, added });
    return findGroup(tx, created.id);
  });
  return presentScimGroup(ctx, group);
}

export async function replaceScimGroup(ctx: ScimContext, id: string, body: Record<string, unknown>) {
  const name = displayNameOf(body.displayName);
  const group = await ctx.s.prisma.$transaction(async (tx) => {
    const before = await findGroup(tx, id);
    await assertNameFree(tx, name, id);
    await tx.group.update({ where: { id }, data: { name, externalId: typeof body.externalId === 'string' ? body.externalId : null } });
    const wanted = memberIds(body.members);
    const { added, removed } = await changeMembers(tx, id, wanted, before.memberships.filter((m) => m.source === 'scim' && !wanted.includes(m.userId)).map((m) => m.userId));
    await audited(ctx, tx, id, 'scim.group_update', { name: before.name }, { name, added, removed });
    return findGroup(tx, id);
  });
  await announceAccessChange(ctx.s);
  return presentScimGroup(ctx, group);
}

export async function patchScimGroup(ctx: ScimContext, id: string, body: unknown, query: Record<string, unknown>) {
  const ops = patchOperations(body);
  const group = await ctx.s.prisma.$transaction(async (tx) => {
    const before = await findGroup(tx, id);
    const changes = { added: [] as string[], removed: [] as string[], name: before.name, externalId: before.externalId };
    for (const op of ops) {
      const path = op.path?.trim();
      const filtered = path ? /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i.exec(path) : null;
      if (filtered) {
        // Okta: `{ op: "remove", path: "members[value eq \"<id>\"]" }`.
        if (op.op !== 'remove') throw new ScimError(400, 'Only remove may target members[value eq ...]', 'invalidPath');
        const r = await changeMembers(tx, id, [], [filtered[1]!]);
        changes.removed.push(...r.removed);
      } else if (path?.toLowerCase() === 'members') {
        const ids = memberIds(op.value);
        const current = (await tx.groupMembership.findMany({ where: { groupId: id, source: 'scim' }, select: { userId: true } })).map((m) => m.userId);
        const r =
          op.op === 'add'
            ? await changeMembers(tx, id, ids, [])
            : op.op === 'remove'
              ? await changeMembers(tx, id, [], op.value === undefined ? 'all-scim' : ids)
              : await changeMembers(tx, id, ids, current.filter((u) => !ids.includes(u)));
        changes.added.push(...r.added);
        changes.removed.push(...r.removed);
      } else {
        // `{ path: "displayName", value }` (Entra) or `{ value: { id, displayName } }` without a path (Okta).
        const entries: [string, unknown][] = path ? [[path, op.value]] : Object.entries((op.value ?? {}) as Record<string, unknown>);
        for (const [key, value] of entries) {
          if (key.toLowerCase() === 'displayname') changes.name = displayNameOf(value);
          else if (key.toLowerCase() === 'externalid') changes.externalId = op.op === 'remove' ? null : String(value);
          else if (key.toLowerCase() === 'members') {
            const r = await changeMembers(tx, id, memberIds(value), []);
            changes.added.push(...r.added);
          }
        }
      }
    }
    if (changes.name !== before.name) await assertNameFree(tx, changes.name, id);
    await tx.group.update({ where: { id }, data: { name: changes.name, externalId: changes.externalId } });
    await audited(ctx, tx, id, 'scim.group_update', { name: before.name, externalId: before.externalId }, changes);
    return findGroup(tx, id);
  });
  await announceAccessChange(ctx.s);
  return presentScimGroup(ctx, group, membersWanted(query));
}

/** A group removed by the provider is deleted (its memberships and shares with it go too). */
export async function deleteScimGroup(ctx: ScimContext, id: string): Promise<void> {
  await ctx.s.prisma.$transaction(async (tx) => {
    const before = await findGroup(tx, id);
    await tx.group.delete({ where: { id } });
    await audited(ctx, tx, id, 'scim.group_delete', { name: before.name, externalId: before.externalId, members: before.memberships.map((m) => m.userId) }, undefined);
  });
  await announceAccessChange(ctx.s);
}
