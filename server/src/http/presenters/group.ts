import { z } from 'zod';
import type { Group, GroupMembership, User } from '../../db/generated/client.js';

export const GroupMemberView = z.object({
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['member', 'manager']),
});

export const GroupView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    memberCount: z.number().int(),
    memoryDisabled: z.boolean().describe('Memory is turned off for the members'),
    apiRawModels: z.boolean().describe('Members may call the raw chat models through the OpenAI-compatible API'),
    createdAt: z.string(),
    updatedAt: z.string(),
    members: z.array(GroupMemberView).optional(),
  })
  .meta({ id: 'Group' });

type GroupRow = Group & {
  _count?: { memberships: number };
  memberships?: (GroupMembership & { user: Pick<User, 'id' | 'email' | 'name'> })[];
};

export function presentGroup(group: GroupRow): z.infer<typeof GroupView> {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    memberCount: group._count?.memberships ?? group.memberships?.length ?? 0,
    memoryDisabled: group.memoryDisabled,
    apiRawModels: group.apiRawModels,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
    members: group.memberships?.map((m) => ({ userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role })),
  };
}
