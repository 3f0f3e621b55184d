import type { Role } from '../../db/generated/enums.js';
import { hashPassword } from '../../auth/passwords.js';
import { AppError } from '../../errors/appError.js';
import { userWithGroups } from '../../http/presenters/user.js';
import { generateTemporaryPassword } from '../../lib/temporaryPassword.js';
import { authorize } from '../../policies/index.js';
import type { Services } from '../../services.js';
import { auditActor, type CommandContext } from '../context.js';
import { joinDefaultGroups } from '../../identity/membershipSync.js';

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  /** Omitted: a temporary password is generated and returned once. */
  password?: string;
  /** Defaults to true: the user must choose their own password at first login. */
  mustChangePassword?: boolean;
}

export async function createUser(s: Services, ctx: CommandContext, input: CreateUserInput) {
  authorize(ctx.actor, 'user.create');
  const generated = input.password ? undefined : generateTemporaryPassword();
  const passwordHash = await hashPassword(input.password ?? generated!, s.config.auth.bcryptCost);
  return s.prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new AppError('conflict', 'A user with this email already exists', { field: 'email' });
    }
    const created = await tx.user.create({
      data: {
        email: input.email,
        name: input.name,
        role: input.role,
        passwordHash,
        mustChangePassword: input.mustChangePassword ?? true,
      },
    });
    // First run: a new account joins the "Everyone" group (groups marked join-by-default).
    const defaultGroups = await joinDefaultGroups(tx, created.id);
    const user = await tx.user.findUniqueOrThrow({ where: { id: created.id }, include: userWithGroups });
    await s.audit.record(
      {
        actor: auditActor(ctx.actor),
        action: 'user.create',
        resource: { type: 'user', id: user.id },
        newValues: { email: user.email, name: user.name, role: user.role, mustChangePassword: user.mustChangePassword, ...(defaultGroups.length ? { defaultGroups } : {}) },
        meta: ctx.meta,
      },
      tx,
    );
    return { user, temporaryPassword: generated };
  });
}
