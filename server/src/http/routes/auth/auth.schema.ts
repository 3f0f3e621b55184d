import { z } from 'zod';
import { Email } from '../../schemas/common.js';
import { UserView } from '../../presenters/user.js';

export const LoginBody = z
  .object({
    email: Email,
    // Checked against the stored hash only; the policy applies when passwords are set.
    password: z.string().min(1, 'is required').max(1024),
  })
  .meta({ id: 'LoginRequest' });

export const SessionResponse = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('seconds'),
    user: UserView,
  })
  .meta({ id: 'Session' });
