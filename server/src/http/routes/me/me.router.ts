import { z } from 'zod';
import { PasswordPolicy } from '../../../auth/passwords.js';
import { changeOwnPassword } from '../../../commands/users/changeOwnPassword.js';
import { abilities } from '../../../policies/index.js';
import { requestMeta, type Services } from '../../../services.js';
import { presentUser, userWithGroups, UserView } from '../../presenters/user.js';
import type { RouteBuilder } from '../../route.js';
import { SessionResponse } from '../auth/auth.schema.js';
import { sessionBody, setRefreshCookie } from '../auth/session.js';
import { auditActor } from '../../../commands/context.js';

const MeView = UserView.extend({ abilities: z.record(z.string(), z.boolean()) }).meta({ id: 'Me' });
const MePatch = z.object({ name: z.string().trim().min(1).max(200) }).strict().meta({ id: 'MeUpdate' });
const PasswordChange = z
  .object({ currentPassword: z.string().min(1).max(1024), newPassword: PasswordPolicy })
  .meta({ id: 'PasswordChange' });

export function meRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/me',
    summary: 'The signed-in user, with what they may do',
    tags: ['me'],
    access: 'any-password-state',
    responses: { 200: { description: 'The current user', schema: MeView } },
    handler: async ({ actor }) => {
      const user = await s.prisma.user.findUniqueOrThrow({ where: { id: actor.id }, include: userWithGroups });
      return { body: { ...presentUser(user), abilities: abilities(actor) } };
    },
  });

  routes.add({
    method: 'patch',
    path: '/me',
    summary: 'Update your own profile',
    tags: ['me'],
    body: MePatch,
    responses: { 200: { description: 'Updated', schema: UserView } },
    handler: async ({ actor, body, req }) => {
      const before = await s.prisma.user.findUniqueOrThrow({ where: { id: actor.id } });
      const user = await s.prisma.$transaction(async (tx) => {
        const row = await tx.user.update({ where: { id: actor.id }, data: { name: body.name }, include: userWithGroups });
        await s.audit.record({ actor: auditActor(actor), action: 'user.update_profile', resource: { type: 'user', id: actor.id }, oldValues: { name: before.name }, newValues: { name: row.name }, meta: requestMeta(req) }, tx);
        return row;
      });
      return { body: presentUser(user) };
    },
  });

  routes.add({
    method: 'post',
    path: '/me/password',
    summary: 'Change your password (required after a temporary one); ends other sessions',
    tags: ['me'],
    access: 'any-password-state',
    body: PasswordChange,
    responses: { 200: { description: 'Changed; a fresh session', schema: SessionResponse } },
    handler: async ({ actor, body, req, res }) => {
      const user = await changeOwnPassword(s, { actor, meta: requestMeta(req) }, body.currentPassword, body.newPassword);
      setRefreshCookie(s, res, await s.sessions.start(user.id, requestMeta(req)));
      return { body: await sessionBody(s, user) };
    },
  });
}
