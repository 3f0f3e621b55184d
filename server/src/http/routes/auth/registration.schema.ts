import { z } from 'zod';
import { PasswordPolicy } from '../../../auth/passwords.js';
import { Email } from '../../schemas/common.js';

export const RegisterBody = z
  .object({
    email: Email,
    name: z.string().trim().min(1).max(200),
    password: PasswordPolicy,
  })
  .strict()
  .meta({ id: 'RegisterRequest' });

export const RegisterResponse = z
  .object({
    status: z.enum(['verification_sent', 'pending_approval']).describe('What happens next; the same whether or not the address already had an account'),
  })
  .meta({ id: 'RegisterResult' });

export const VerifyEmailBody = z
  .object({ token: z.string().min(20).max(200) })
  .strict()
  .meta({ id: 'VerifyEmailRequest' });
