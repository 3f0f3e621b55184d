import type { Prisma } from '../db/generated/client.js';

export type MembershipSource = 'manual' | 'oidc' | 'scim' | 'default';

/** A new account joins the groups marked join-by-default (the "Everyone" group); returns their ids. */
export async function joinDefaultGroups(tx: Prisma.TransactionClient, userId: string): Promise<string[]> {
  const groups = await tx.group.findMany({ where: { joinByDefault: true }, select: { id: true } });
  if (groups.length) await tx.groupMembership.createMany({ data: groups.map((g) => ({ userId, groupId: g.id, source: 'default' })), skipDuplicates: true });
  return groups.map((g) => g.id);
}

/**
 * Makes the memberships a source granted equal `groupIds`: joins the missing
 * ones and leaves the ones it granted before but no longer does. A membership
 * from another source (made by hand in the console) is neither taken over nor
 * removed, so it survives whatever the provider says.
 */
export async function syncMemberships(
  tx: Prisma.TransactionClient,
  userId: string,
  source: MembershipSource,
  groupIds: ReadonlySet<string>,
): Promise<{ added: string[]; removed: string[] }> {
  const existing = await tx.groupMembership.findMany({ where: { userId }, select: { groupId: true, source: true } });
  const held = new Set(existing.map((m) => m.groupId));
  const removed = existing.filter((m) => m.source === source && !groupIds.has(m.groupId)).map((m) => m.groupId);
  const added = [...groupIds].filter((id) => !held.has(id));
  if (removed.length) await tx.groupMembership.deleteMany({ where: { userId, source, groupId: { in: removed } } });
  if (added.length) await tx.groupMembership.createMany({ data: added.map((groupId) => ({ userId, groupId, source })), skipDuplicates: true });
  return { added, removed };
}
