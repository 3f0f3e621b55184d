import { z } from 'zod';
import type { Prisma } from '../../../db/generated/client.js';
import { approveUser } from '../../../commands/users/approveUser.js';
import { createUser } from '../../../commands/users/createUser.js';
import { resetPassword } from '../../../commands/users/resetPassword.js';
import { updateUser } from '../../../commands/users/updateUser.js';
import { AppError } from '../../../errors/appError.js';
import { authorize } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { presentUser, userWithGroups, UserView } from '../../presenters/user.js';
import type { RouteBuilder } from '../../route.js';
import { IdParams, pageBody, pageOf, pageWindow } from '../../schemas/common.js';
import { CreatedUser, CreateUserBody, ResetPasswordBody, UpdateUserBody, UserListQuery } from './users.schema.js';
import { literalLike } from '../../../db/likePattern.js';

export function userRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/users',
    summary: 'List users with paging, search, filters and sorting',
    tags: ['users'],
    query: UserListQuery,
    responses: { 200: { description: 'A page of users', schema: pageOf(UserView, 'UserPage') } },
    handler: async ({ actor, query }) => {
      authorize(actor, 'user.list');
      const where: Prisma.UserWhereInput = {
        role: query.role,
        active: query.active,
        ...(query.groupId ? { memberships: { some: { groupId: query.groupId } } } : {}),
        ...(query.pending === undefined ? {} : { pending: query.pending ? { not: null } : null }),
        ...(query.q
          ? { OR: [{ email: { contains: literalLike(query.q), mode: 'insensitive' } }, { name: { contains: literalLike(query.q), mode: 'insensitive' } }] }
          : {}),
      };
      const [rows, total] = await Promise.all([
        s.prisma.user.findMany({
          where,
          include: userWithGroups,
          // Only lastLoginAt can be null; never-logged-in users sort last either way.
          orderBy: [{ [query.sort]: query.sort === 'lastLoginAt' ? { sort: query.order, nulls: 'last' } : query.order }, { id: 'asc' }],
          ...pageWindow(query),
        }),
        s.prisma.user.count({ where }),
      ]);
      return { body: pageBody(rows.map(presentUser), total, query) };
    },
  });

  routes.add({
    method: 'post',
    path: '/users',
    summary: 'Create a user with a temporary password',
    tags: ['users'],
    body: CreateUserBody,
    responses: { 201: { description: 'Created', schema: CreatedUser } },
    handler: async ({ actor, body, req }) => {
      const { user, temporaryPassword } = await createUser(s, { actor, meta: requestMeta(req) }, body);
      return { status: 201, body: { ...presentUser(user), temporaryPassword } };
    },
  });

  routes.add({
    method: 'get',
    path: '/users/:id',
    summary: 'One user',
    tags: ['users'],
    params: IdParams,
    responses: { 200: { description: 'The user', schema: UserView } },
    handler: async ({ actor, params }) => {
      authorize(actor, 'user.read', { kind: 'user', id: params.id }, true);
      const user = await s.prisma.user.findUnique({ where: { id: params.id }, include: userWithGroups });
      if (!user) throw AppError.notFound('User');
      return { body: presentUser(user) };
    },
  });

  routes.add({
    method: 'patch',
    path: '/users/:id',
    summary: 'Change name or role, deactivate or reactivate, unlock',
    tags: ['users'],
    params: IdParams,
    body: UpdateUserBody,
    responses: { 200: { description: 'Updated', schema: UserView } },
    handler: async ({ actor, params, body, req }) => {
      const user = await updateUser(s, { actor, meta: requestMeta(req) }, params.id, body);
      return { body: presentUser(user) };
    },
  });

  routes.add({
    method: 'post',
    path: '/users/:id/reset-password',
    summary: 'Set a temporary password; the user must change it at next login',
    tags: ['users'],
    params: IdParams,
    body: ResetPasswordBody,
    responses: { 200: { description: 'Reset', schema: z.object({ temporaryPassword: z.string().optional() }) } },
    handler: async ({ actor, params, body, req }) => {
      return { body: await resetPassword(s, { actor, meta: requestMeta(req) }, params.id, body.password) };
    },
  });

  routes.add({
    method: 'post',
    path: '/users/:id/approve',
    summary: 'Approve a self-registered account that is waiting (see the registration setting)',
    tags: ['users'],
    params: IdParams,
    responses: { 200: { description: 'Approved; the account can sign in', schema: UserView } },
    handler: async ({ actor, params, req }) => {
      return { body: presentUser(await approveUser(s, { actor, meta: requestMeta(req) }, params.id)) };
    },
  });
}
