import { z } from 'zod';
import { createGroup, deleteGroup, updateGroup } from '../../../commands/groups/saveGroup.js';
import { removeGroupMember, setGroupMember } from '../../../commands/groups/groupMembers.js';
import type { Prisma } from '../../../db/generated/client.js';
import { AppError } from '../../../errors/appError.js';
import { authorize, visibleGroups } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { GroupView, presentGroup } from '../../presenters/group.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams, listQuery, pageBody, pageOf, pageWindow } from '../../schemas/common.js';
import { literalLike } from '../../../db/likePattern.js';

const GroupBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(1000).optional(),
    memoryDisabled: z.boolean().optional().describe("Turns memory off for the group's members (whatever their own switch says)"),
    apiRawModels: z.boolean().optional().describe("Members may call the raw chat models (no assistant) through the OpenAI-compatible API"),
  })
  .strict()
  .meta({ id: 'GroupCreate' });
const GroupPatch = GroupBody.partial().refine((b) => Object.keys(b).length > 0, 'nothing to update').meta({ id: 'GroupUpdate' });
const MemberParams = z.object({ id: z.uuid(), userId: z.uuid() });
const MemberBody = z.object({ role: z.enum(['member', 'manager']).default('member') }).strict().meta({ id: 'GroupMembership' });
const GroupListQuery = listQuery(['createdAt', 'name'] as const, 'name');

const withMembers = {
  _count: { select: { memberships: true } },
  memberships: { include: { user: { select: { id: true, email: true, name: true } } }, orderBy: { user: { email: 'asc' } } },
} as const;

export function groupRoutes(s: Services, routes: RouteBuilder): void {
  const meta = requestMeta;

  routes.add({
    method: 'get',
    path: '/groups',
    summary: 'List groups (managers see the groups they manage)',
    tags: ['groups'],
    query: GroupListQuery,
    responses: { 200: { description: 'A page of groups', schema: pageOf(GroupView, 'GroupPage') } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'group.list');
      const where: Prisma.GroupWhereInput = {
        AND: [visibleGroups(actor), query.q ? { name: { contains: literalLike(query.q), mode: 'insensitive' } } : {}],
      };
      const [rows, total] = await Promise.all([
        s.prisma.group.findMany({
          where,
          include: { _count: { select: { memberships: true } } },
          orderBy: [{ [query.sort]: query.order }, { id: 'asc' }],
          ...pageWindow(query),
        }),
        s.prisma.group.count({ where }),
      ]);
      return { body: pageBody(rows.map(presentGroup), total, query) };
    },
  });

  routes.add({
    method: 'post',
    path: '/groups',
    summary: 'Create a group',
    tags: ['groups'],
    body: GroupBody,
    responses: { 201: { description: 'Created', schema: GroupView } },
    handler: async ({ actor, body, req }) => ({ status: 201, body: presentGroup(await createGroup(s, { actor, meta: meta(req) }, body)) }),
  });

  routes.add({
    method: 'get',
    path: '/groups/:id',
    summary: 'One group with its members',
    tags: ['groups'],
    params: IdParams,
    responses: { 200: { description: 'The group', schema: GroupView } },
    handler: async ({ actor, params }) => {
      authorize(actor, 'group.read', { kind: 'group', id: params.id }, true);
      const group = await s.prisma.group.findUnique({ where: { id: params.id }, include: withMembers });
      if (!group) throw AppError.notFound('Group');
      return { body: presentGroup(group) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/groups/:id',
    summary: 'Rename or describe a group, turn memory off for its members, or switch raw models in the OpenAI-compatible API for them',
    tags: ['groups'],
    params: IdParams,
    body: GroupPatch,
    responses: { 200: { description: 'Updated', schema: GroupView } },
    handler: async ({ actor, params, body, req }) => ({ body: presentGroup(await updateGroup(s, { actor, meta: meta(req) }, params.id, body)) }),
  });

  routes.add({
    method: 'delete',
    path: '/groups/:id',
    summary: 'Delete a group (members and assistant grants go with it)',
    tags: ['groups'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async ({ actor, params, req }) => {
      await deleteGroup(s, { actor, meta: meta(req) }, params.id);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'put',
    path: '/groups/:id/members/:userId',
    summary: 'Add a member or change their role in the group',
    tags: ['groups'],
    params: MemberParams,
    body: MemberBody,
    responses: { 204: { description: 'Saved' } },
    handler: async ({ actor, params, body, req }) => {
      await setGroupMember(s, { actor, meta: meta(req) }, params.id, params.userId, body.role);
      return { status: 204 };
    },
  });

  routes.add({
    method: 'delete',
    path: '/groups/:id/members/:userId',
    summary: 'Remove a member from the group',
    tags: ['groups'],
    params: MemberParams,
    responses: { 204: { description: 'Removed' } },
    handler: async ({ actor, params, req }) => {
      await removeGroupMember(s, { actor, meta: meta(req) }, params.id, params.userId);
      return { status: 204 };
    },
  });
}
