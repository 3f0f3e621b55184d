import { z } from 'zod';
import type { Group, GroupMembership, User } from '../../db/generated/client.js';

export const UserView = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(['admin', 'manager', 'user']),
    active: z.boolean(),
    mustChangePassword: z.boolean(),
    locked: z.boolean(),
    /** Self-registered and waiting: for its e-mail confirmation or for an administrator's approval. */
    pending: z.enum(['email_verification', 'approval']).nullable(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    groups: z.array(z.object({ id: z.uuid(), name: z.string(), role: z.enum(['member', 'manager']) })),
  })
  .meta({ id: 'User' });

export type UserWithGroups = User & { memberships?: (GroupMembership & { group: Pick<Group, 'id' | 'name'> })[] };

/** Never includes the password hash or lockout counters. */
export function presentUser(user: UserWithGroups): z.infer<typeof UserView> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    active: user.active,
    mustChangePassword: user.mustChangePassword,
    locked: !!user.lockedUntil && user.lockedUntil > new Date(),
    pending: (user.pending as 'email_verification' | 'approval' | null) ?? null,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    groups: (user.memberships ?? []).map((m) => ({ id: m.group.id, name: m.group.name, role: m.role })),
  };
}

export const userWithGroups = { memberships: { include: { group: { select: { id: true, name: true } } } } } as const;
