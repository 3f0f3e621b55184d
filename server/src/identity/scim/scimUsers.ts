import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../auth/passwords.js';
import type { Prisma, User } from '../../db/generated/client.js';
import { endAccess } from '../endAccess.js';
import { joinDefaultGroups } from '../membershipSync.js';
import { scimActor, type ScimContext } from './scimContext.js';
import { ScimError } from './scimErrors.js';
import { listResponse, paging, parseEqFilter, patchOperations, scimBoolean } from './scimFilter.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

export function presentScimUser(ctx: ScimContext, u: User) {
  const [givenName, ...rest] = u.name.split(' ');
  return {
    schemas: [USER_SCHEMA],
    id: u.id,
    externalId: u.externalId ?? undefined,
    userName: u.email,
    name: { formatted: u.name, givenName, familyName: rest.join(' ') || undefined },
    displayName: u.name,
    emails: [{ value: u.email, type: 'work', primary: true }],
    active: u.active,
    meta: { resourceType: 'User', created: u.createdAt.toISOString(), lastModified: u.updatedAt.toISOString(), location: `${ctx.baseUrl}/Users/${u.id}` },
  };
}

/** The fields Atrium keeps, from a SCIM User (create or replace). */
interface UserFields {
  email?: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  active?: boolean;
  externalId?: string | null;
}

function emailOf(value: unknown): string {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) throw new ScimError(400, `userName must be an email address, got ${JSON.stringify(value)}`, 'invalidValue');
  return email;
}

function fieldsFromResource(body: Record<string, unknown>): UserFields {
  const emails = Array.isArray(body.emails) ? (body.emails as { value?: unknown; primary?: unknown }[]) : [];
  const primary = emails.find((e) => e.primary === true || e.primary === 'true' || e.primary === 'True') ?? emails[0];
  const userName = typeof body.userName === 'string' && body.userName.includes('@') ? body.userName : primary?.value;
  const name = (body.name ?? {}) as { formatted?: unknown; givenName?: unknown; familyName?: unknown };
  return {
    email: emailOf(userName),
    name: typeof body.displayName === 'string' ? body.displayName : typeof name.formatted === 'string' ? name.formatted : undefined,
    givenName: typeof name.givenName === 'string' ? name.givenName : undefined,
    familyName: typeof name.familyName === 'string' ? name.familyName : undefined,
    active: body.active === undefined ? undefined : scimBoolean(body.active),
    externalId: typeof body.externalId === 'string' ? body.externalId : undefined,
  };
}

function displayName(f: UserFields, current?: User): string | undefined {
  if (f.name?.trim()) return f.name.trim().slice(0, 200);
  if (f.givenName === undefined && f.familyName === undefined) return undefined;
  const [currentGiven, ...currentFamily] = (current?.name ?? '').split(' ');
  return [f.givenName ?? currentGiven, f.familyName ?? currentFamily.join(' ')].filter(Boolean).join(' ').trim().slice(0, 200) || undefined;
}

async function findUser(db: Prisma.TransactionClient, id: string): Promise<User> {
  const user = /^[0-9a-f-]{36}$/i.test(id) ? await db.user.findUnique({ where: { id } }) : null;
  if (!user) throw ScimError.notFound('User', id);
  return user;
}

export async function listScimUsers(ctx: ScimContext, query: Record<string, unknown>) {
  const filter = parseEqFilter(typeof query.filter === 'string' ? query.filter : undefined, ['userName', 'externalId', 'emails.value']);
  const where: Prisma.UserWhereInput = !filter
    ? {}
    : filter.attribute === 'externalId'
      ? { externalId: filter.value }
      : { email: filter.value.toLowerCase() };
  const { skip, take, startIndex } = paging(query);
  const [users, total] = await Promise.all([ctx.s.prisma.user.findMany({ where, orderBy: { createdAt: 'asc' }, skip, take }), ctx.s.prisma.user.count({ where })]);
  return listResponse(users.map((u) => presentScimUser(ctx, u)), total, startIndex);
}

export async function getScimUser(ctx: ScimContext, id: string) {
  return presentScimUser(ctx, await findUser(ctx.s.prisma, id));
}

export async function createScimUser(ctx: ScimContext, body: Record<string, unknown>) {
  const f = fieldsFromResource(body);
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'), ctx.s.config.auth.bcryptCost);
  const user = await ctx.s.prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: f.email! } })) throw new ScimError(409, `A user with userName ${f.email} already exists`, 'uniqueness');
    if (f.externalId && (await tx.user.findUnique({ where: { externalId: f.externalId } }))) throw new ScimError(409, `externalId ${f.externalId} is already used`, 'uniqueness');
    const created = await tx.user.create({
      data: { email: f.email!, name: displayName(f) ?? f.email!.split('@')[0]!, passwordHash, mustChangePassword: false, active: f.active ?? true, externalId: f.externalId ?? null },
    });
    const defaultGroups = await joinDefaultGroups(tx, created.id);
    await ctx.s.audit.record({ actor: scimActor(ctx), action: 'scim.user_create', resource: { type: 'user', id: created.id }, newValues: { email: created.email, name: created.name, active: created.active, externalId: created.externalId, defaultGroups }, meta: ctx.meta }, tx);
    return created;
  });
  return presentScimUser(ctx, user);
}

export async function replaceScimUser(ctx: ScimContext, id: string, body: Record<string, unknown>) {
  const f = fieldsFromResource(body);
  return presentScimUser(ctx, await applyUserChange(ctx, id, (current) => ({ ...f, name: displayName(f, current), active: f.active ?? true, externalId: f.externalId ?? null })));
}

export async function patchScimUser(ctx: ScimContext, id: string, body: unknown) {
  const ops = patchOperations(body);
  return presentScimUser(
    ctx,
    await applyUserChange(ctx, id, (current) => {
      const f: UserFields = {};
      for (const op of ops) {
        // Okta sends `{ op: "replace", value: { active: false } }` without a path.
        const entries: [string, unknown][] = op.path ? [[op.path, op.value]] : Object.entries((op.value ?? {}) as Record<string, unknown>);
        for (const [path, value] of entries) applyUserPath(f, path, op.op === 'remove' ? null : value);
      }
      return { ...f, name: displayName(f, current) };
    }),
  );
}

function applyUserPath(f: UserFields, path: string, value: unknown): void {
  const p = path.toLowerCase();
  if (p === 'active') f.active = scimBoolean(value);
  else if (p === 'username') f.email = emailOf(value);
  else if (p === 'displayname' || p === 'name.formatted') f.name = typeof value === 'string' ? value : undefined;
  else if (p === 'name.givenname') f.givenName = typeof value === 'string' ? value : '';
  else if (p === 'name.familyname') f.familyName = typeof value === 'string' ? value : '';
  else if (p === 'externalid') f.externalId = typeof value === 'string' ? value : null;
  else if (/^emails(\[.*\])?(\.value)?$/.test(p)) {
    // `emails[type eq "work"].value` (Entra) carries the address itself, `emails` (Okta) the list.
    const list = Array.isArray(value) ? (value as { value?: unknown; primary?: unknown }[]) : null;
    const address = list ? (list.find((e) => e.primary === true || e.primary === 'True') ?? list[0])?.value : value;
    if (address != null) f.email = emailOf(address);
  } else if (p === 'name' && value && typeof value === 'object') {
    const n = value as { givenName?: unknown; familyName?: unknown; formatted?: unknown };
    if (typeof n.formatted === 'string') f.name = n.formatted;
    if (typeof n.givenName === 'string') f.givenName = n.givenName;
    if (typeof n.familyName === 'string') f.familyName = n.familyName;
  }
  // Other attributes (title, department, the enterprise extension) are not kept; ignoring them lets provisioning go on.
}

/** Applies a change, audits it, and ends the account's access when it was deactivated. */
async function applyUserChange(ctx: ScimContext, id: string, change: (current: User) => UserFields): Promise<User> {
  const { before, after } = await ctx.s.prisma.$transaction(async (tx) => {
    const current = await findUser(tx, id);
    const f = change(current);
    if (f.email && f.email !== current.email && (await tx.user.findUnique({ where: { email: f.email } }))) throw new ScimError(409, `userName ${f.email} is taken`, 'uniqueness');
    if (f.active === false && current.active && current.role === 'admin') {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(7214031339)');
      if ((await tx.user.count({ where: { role: 'admin', active: true } })) <= 1) throw new ScimError(409, 'The last active admin cannot be deactivated', 'mutability');
    }
    const updated = await tx.user.update({
      where: { id },
      data: { email: f.email, name: f.name, active: f.active, externalId: f.externalId },
    });
    const changed = (['email', 'name', 'active', 'externalId'] as const).filter((k) => updated[k] !== current[k]);
    if (changed.length) {
      const action = changed.includes('active') ? (updated.active ? 'scim.user_reactivate' : 'scim.user_deactivate') : 'scim.user_update';
      await ctx.s.audit.record(
        { actor: scimActor(ctx), action, resource: { type: 'user', id }, oldValues: Object.fromEntries(changed.map((k) => [k, current[k]])), newValues: Object.fromEntries(changed.map((k) => [k, updated[k]])), meta: ctx.meta },
        tx,
      );
    }
    return { before: current, after: updated };
  });
  if (before.active && !after.active) await endAccess(ctx.s, id, 'deactivated by SCIM');
  return after;
}

/** DELETE: the account is deactivated, never erased, so its conversations and audit trail stay. */
export async function deleteScimUser(ctx: ScimContext, id: string): Promise<void> {
  await applyUserChange(ctx, id, () => ({ active: false }));
}
