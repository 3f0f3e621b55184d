import { z } from 'zod';
import { PasswordPolicy } from '../../../auth/passwords.js';
import { Email, listQuery } from '../../schemas/common.js';
import { UserView } from '../../presenters/user.js';

const RoleEnum = z.enum(['admin', 'manager', 'user']);

export const UserListQuery = listQuery(['createdAt', 'email', 'name', 'role', 'lastLoginAt'] as const, 'createdAt').extend({
  role: RoleEnum.optional(),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  groupId: z.uuid().optional(),
  /** true: only self-registered accounts still waiting (verification or approval). */
  pending: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

export const CreateUserBody = z
  .object({
    email: Email,
    name: z.string().trim().min(1).max(200),
    role: RoleEnum.default('user'),
    password: PasswordPolicy.optional().describe('Temporary password; omit to have one generated'),
    mustChangePassword: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'UserCreate' });

export const UpdateUserBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    role: RoleEnum.optional(),
    active: z.boolean().optional(),
    locked: z.literal(false).optional().describe('false unlocks an account locked by failed logins'),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to update')
  .meta({ id: 'UserUpdate' });

export const ResetPasswordBody = z
  .object({ password: PasswordPolicy.optional() })
  .strict()
  .meta({ id: 'PasswordReset' });

export const CreatedUser = UserView.extend({
  temporaryPassword: z.string().optional().describe('Shown once, only when it was generated'),
}).meta({ id: 'CreatedUser' });
