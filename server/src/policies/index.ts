import { AppError } from '../errors/appError.js';
import { Prisma } from '../db/generated/client.js';
import type { Actor } from './actor.js';

export type { Actor };

// Who may do what, in one place. REST handlers and socket.io events both ask
// here; nothing else looks at roles. Resources are passed when the answer
// depends on them (a manager may act only inside the groups they manage).

export type Resource =
  | { kind: 'user'; id: string }
  | { kind: 'group'; id: string }
  | { kind: 'assistant'; groupIds: string[]; createdById: string | null }
  | { kind: 'share'; ownerId: string; audience: 'user' | 'group' | 'link'; userId: string | null; groupId: string | null };

type Rule = (actor: Actor, resource?: Resource) => boolean;

const isAdmin: Rule = (actor) => actor.role === 'admin';
const managesGroup: Rule = (actor, resource) =>
  actor.role === 'admin' ||
  (actor.role === 'manager' && resource?.kind === 'group' && actor.groups.get(resource.id) === 'manager');

/** Managers act on an assistant when they manage one of its groups, or created it. */
const managesAssistant: Rule = (actor, resource) =>
  actor.role === 'admin' ||
  (actor.role === 'manager' &&
    resource?.kind === 'assistant' &&
    (resource.groupIds.some((g) => actor.groups.get(g) === 'manager') || resource.createdById === actor.id));

const usesAssistant: Rule = (actor, resource) =>
  managesAssistant(actor, resource) || (resource?.kind === 'assistant' && resource.groupIds.some((g) => actor.groups.has(g)));

const rules = {
  'user.list': isAdmin,
  'user.read': (actor, resource) => isAdmin(actor) || (resource?.kind === 'user' && resource.id === actor.id),
  'user.create': isAdmin,
  'user.update': isAdmin,
  'user.resetPassword': isAdmin,
  'group.list': (actor) => actor.role === 'admin' || actor.role === 'manager',
  'group.read': (actor, resource) => managesGroup(actor, resource),
  'group.create': isAdmin,
  'group.update': isAdmin,
  'group.delete': isAdmin,
  'group.manageMembers': isAdmin,
  'audit.read': isAdmin,
  /** Quotas and their alerts. */
  'quota.manage': isAdmin,
  /** Usage reports: admins over everything, managers over their groups (see visibleUsage). */
  'usage.report': (actor) => actor.role === 'admin' || actor.role === 'manager',
  'console.open': (actor) => actor.role === 'admin' || actor.role === 'manager',
  'assistant.create': (actor) => actor.role === 'admin' || actor.role === 'manager',
  'assistant.use': usesAssistant,
  'assistant.manage': managesAssistant,
  'provider.manage': isAdmin,
  'model.list': (actor) => actor.role === 'admin' || actor.role === 'manager' || actor.role === 'user',
  'model.manage': isAdmin,
  /** Sharing an assistant with a group, or withdrawing it: only by those who manage the group. */
  'assistant.share': managesGroup,
  /** System settings: managers may read them (the console shows them read-only), admins change them. */
  'settings.read': (actor) => actor.role === 'admin' || actor.role === 'manager',
  'settings.manage': isAdmin,
  /** Everyone's personal access tokens: listing and revoking (integrations). */
  'token.manageAll': isAdmin,
  /** Identity: single sign-on settings and SCIM tokens. */
  'identity.manage': isAdmin,
  /** Tools: registering MCP tool servers, their headers, groups and assistants. */
  'toolServer.manage': isAdmin,
  // Staff features. Feedback reports: admins over every assistant, managers over those they manage (manageableAssistants).
  'feedback.report': (actor) => actor.role === 'admin' || actor.role === 'manager',
  /** Publishing a saved prompt to a group: admins to any, managers to the groups they manage. */
  'prompt.publish': (actor, resource) => (resource ? managesGroup(actor, resource) : actor.role === 'admin' || actor.role === 'manager'),
  /** Sharing one's conversation with a group: its members, and admins with any group. */
  'share.toGroup': (actor, resource) => actor.role === 'admin' || (resource?.kind === 'group' && actor.groups.has(resource.id)),
  /** A shared conversation: its owner, its recipient, the members of its group, and for a link anyone signed in (who holds the token). */
  'share.view': (actor, resource) =>
    resource?.kind === 'share' &&
    (resource.ownerId === actor.id ||
      resource.audience === 'link' ||
      (resource.audience === 'user' && resource.userId === actor.id) ||
      (resource.audience === 'group' && resource.groupId !== null && actor.groups.has(resource.groupId))),
} satisfies Record<string, Rule>;

export type Action = keyof typeof rules;

export function can(actor: Actor, action: Action, resource?: Resource): boolean {
  return rules[action](actor, resource);
}

/**
 * Throws when the actor may not act. A record the actor may not even see is
 * reported as not found, so its existence does not leak.
 */
export function authorize(actor: Actor, action: Action, resource?: Resource, hidden = false): void {
  if (can(actor, action, resource)) return;
  const names = { user: 'User', group: 'Group', assistant: 'Assistant', share: 'Shared conversation' } as const;
  throw hidden && resource ? AppError.notFound(names[resource.kind]) : AppError.forbidden();
}

/** Sent to the apps so they hide what the API would refuse. */
export function abilities(actor: Actor): Record<Action, boolean> {
  return Object.fromEntries(Object.keys(rules).map((a) => [a, can(actor, a as Action)])) as Record<Action, boolean>;
}

/**
 * Scopes usage reports: admins see every call (null), managers the calls made
 * by members of the groups they manage (membership at the time of the call),
 * and only those groups when usage is grouped by group.
 */
export function visibleUsage(actor: Actor): { groupIds: string[] | null } {
  if (actor.role === 'admin') return { groupIds: null };
  return { groupIds: [...actor.groups].filter(([, role]) => actor.role === 'manager' && role === 'manager').map(([id]) => id) };
}

/** Scopes group reads: admins see every group, managers the groups they manage. */
export function visibleGroups(actor: Actor): Prisma.GroupWhereInput {
  if (actor.role === 'admin') return {};
  if (actor.role === 'manager') return { memberships: { some: { userId: actor.id, role: 'manager' } } };
  return { id: { in: [] } };
}

/**
 * The assistants an actor reaches for an action: every one, or those shared
 * with one of `groupIds` and those `createdById` made. The Prisma scopes and
 * their SQL forms below are both written from it, so the two cannot drift
 * apart (tests/http/assistantRead.test.ts runs both on the same rows).
 */
type AssistantReach = { every: true } | { every: false; groupIds: string[]; createdById: string | null };

function assistantReach(actor: Actor, action: 'use' | 'manage'): AssistantReach {
  if (actor.role === 'admin') return { every: true };
  const manager = actor.role === 'manager';
  if (action === 'use') return { every: false, groupIds: [...actor.groups.keys()], createdById: manager ? actor.id : null };
  if (!manager) return { every: false, groupIds: [], createdById: null };
  return { every: false, groupIds: [...actor.groups].filter(([, role]) => role === 'manager').map(([groupId]) => groupId), createdById: actor.id };
}

const reachWhere = (reach: Extract<AssistantReach, { every: false }>): Prisma.AssistantWhereInput[] => [
  { groups: { some: { groupId: { in: reach.groupIds } } } },
  ...(reach.createdById ? [{ createdById: reach.createdById }] : []),
];

/** Scopes assistant reads to those the actor may use (deleted ones excluded). */
export function usableAssistants(actor: Actor): Prisma.AssistantWhereInput {
  const reach = assistantReach(actor, 'use');
  return reach.every ? { deletedAt: null } : { deletedAt: null, OR: reachWhere(reach) };
}

/** Scopes assistant reads to those the actor may manage, deleted or not. */
export function manageableAssistants(actor: Actor): Prisma.AssistantWhereInput {
  const reach = assistantReach(actor, 'manage');
  if (reach.every) return {};
  if (!reach.groupIds.length && !reach.createdById) return { id: { in: [] } };
  return { OR: reachWhere(reach) };
}

/** A reach as a condition on `assistants AS a`, for reads written in SQL. */
function reachSql(reach: AssistantReach): Prisma.Sql {
  if (reach.every) return Prisma.sql`TRUE`;
  const shared = reach.groupIds.length
    ? Prisma.sql`EXISTS (SELECT 1 FROM assistant_groups ag WHERE ag.assistant_id = a.id AND ag.group_id = ANY(${reach.groupIds}::uuid[]))`
    : Prisma.sql`FALSE`;
  return reach.createdById ? Prisma.sql`(${shared} OR a.created_by_id = ${reach.createdById}::uuid)` : shared;
}

/** usableAssistants as a condition on `assistants AS a`. */
export const usableAssistantsSql = (actor: Actor): Prisma.Sql => Prisma.sql`a.deleted_at IS NULL AND ${reachSql(assistantReach(actor, 'use'))}`;

/** manageableAssistants as a condition on `assistants AS a`. */
export const manageableAssistantsSql = (actor: Actor): Prisma.Sql => reachSql(assistantReach(actor, 'manage'));

/** Scopes conversation reads: everyone, admins included, sees only their own. */
export function ownConversations(actor: Actor): Prisma.ConversationWhereInput {
  return { userId: actor.id };
}

/** ownConversations as a condition on `conversations AS c`. */
export const ownConversationsSql = (actor: Actor): Prisma.Sql => Prisma.sql`c.user_id = ${actor.id}::uuid`;

/** Shares addressed to the actor by someone else: to them, to one of their groups, or links they have opened. */
export function sharedWithActor(actor: Actor): Prisma.ConversationShareWhereInput {
  return {
    ownerId: { not: actor.id },
    OR: [
      { audience: 'user', userId: actor.id },
      { audience: 'group', groupId: { in: [...actor.groups.keys()] } },
      { audience: 'link', views: { some: { userId: actor.id } } },
    ],
  };
}

export const shareResource = (s: { ownerId: string; audience: 'user' | 'group' | 'link'; userId: string | null; groupId: string | null }): Resource => ({
  kind: 'share',
  ownerId: s.ownerId,
  audience: s.audience,
  userId: s.userId,
  groupId: s.groupId,
});

export const assistantResource = (a: { groups: { groupId: string }[]; createdById: string | null }): Resource => ({
  kind: 'assistant',
  groupIds: a.groups.map((g) => g.groupId),
  createdById: a.createdById,
});
