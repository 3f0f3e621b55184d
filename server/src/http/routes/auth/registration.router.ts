import { z } from 'zod';
import { registerAccount } from '../../../commands/registration/registerAccount.js';
import { verifyEmail } from '../../../commands/registration/verifyEmail.js';
import { requestMeta, type Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { RegisterBody, RegisterResponse, VerifyEmailBody } from './registration.schema.js';

/** The public sign-up (under the `registration` setting) and its e-mail confirmation. */
export function registrationRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'post',
    path: '/auth/register',
    summary: 'Sign up when the registration policy allows the address’s domain; the account waits for e-mail confirmation (SMTP) or approval',
    tags: ['auth'],
    access: 'public',
    body: RegisterBody,
    responses: { 202: { description: 'Accepted; what happens next', schema: RegisterResponse } },
    handler: async ({ req, body }) => {
      // Every attempt counts, successful or not: each one can create an account or send a mail.
      await s.registrationLimiter.consume(req.ip ?? 'unknown');
      return { status: 202, body: await registerAccount(s, body, requestMeta(req)) };
    },
  });

  routes.add({
    method: 'post',
    path: '/auth/verify-email',
    summary: 'Confirm an e-mail address with the token from the mailed link; activates the account',
    tags: ['auth'],
    access: 'public',
    body: VerifyEmailBody,
    responses: { 200: { description: 'Confirmed; the account can sign in', schema: z.object({ status: z.literal('verified') }) } },
    handler: async ({ req, body }) => {
      // Guessing a 256-bit token is hopeless; refused tokens still count, so the endpoint cannot be hammered.
      const ip = req.ip ?? 'unknown';
      await s.registrationLimiter.assertAllowed(ip);
      await verifyEmail(s, body.token, requestMeta(req)).catch(async (error: unknown) => {
        await s.registrationLimiter.recordFailure(ip);
        throw error;
      });
      return { body: { status: 'verified' as const } };
    },
  });
}
