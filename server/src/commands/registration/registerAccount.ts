import { createHash, randomBytes } from 'node:crypto';
import { emailDomainAllowed, registrationOpen, type RegistrationSetting } from '../../auth/registrationPolicy.js';
import { hashPassword } from '../../auth/passwords.js';
import { AppError } from '../../errors/appError.js';
import type { MailMessage } from '../../lib/mailer.js';
import type { RequestMeta } from '../../governance/auditLog.js';
import type { Services } from '../../services.js';
import { readSetting } from '../settings/readSetting.js';

/** How long a mailed verification link works. */
export const VERIFICATION_TTL_MS = 24 * 60 * 60 * 1000;

export interface RegistrationInput {
  email: string;
  name: string;
  password: string;
}

/** What the caller is told: the same for a new address and for one that already has an account. */
export type RegistrationOutcome = { status: 'verification_sent' | 'pending_approval' };

export const hashVerificationToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Self-registration under the `registration` setting. The account is created
 * pending: with a mailer, until its address is verified through a mailed
 * link; without one, until an administrator approves it. An address that
 * already has an account gets the same answer (and, with a mailer, a notice
 * instead of a link), so the sign-up cannot be used to learn who has one.
 */
export async function registerAccount(s: Services, input: RegistrationInput, meta: RequestMeta): Promise<RegistrationOutcome> {
  const policy = await readSetting(s.prisma, 'registration');
  if (!registrationOpen(policy)) throw new AppError('registration_closed', 'Sign-up is closed; ask an administrator for an account');
  if (!emailDomainAllowed(input.email, policy)) {
    await s.audit.record({ actor: { email: input.email }, action: 'auth.register_refused', newValues: { reason: 'domain' }, meta });
    throw new AppError('email_domain_not_allowed', 'Sign-up is not open to addresses of this domain; use your organisation’s e-mail', {
      issues: [{ path: 'email', message: 'this domain may not sign up' }],
    });
  }
  const outcome: RegistrationOutcome = { status: s.mailer ? 'verification_sent' : 'pending_approval' };
  // Hashed in both branches, so the answer takes as long whether or not the address is taken.
  const passwordHash = await hashPassword(input.password, s.config.auth.bcryptCost);

  const existing = await s.prisma.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) {
    await s.audit.record({ actor: { email: input.email }, action: 'auth.register_existing', resource: { type: 'user', id: existing.id }, meta });
    await sendMail(s, {
      to: input.email,
      subject: 'Someone tried to sign up with your address',
      text: 'Someone (maybe you) tried to create an account with this e-mail address, which already has one. Sign in instead; if you forgot your password, ask an administrator to reset it.',
    });
    return outcome;
  }

  const token = randomBytes(32).toString('base64url');
  const user = await createPendingAccount(s, input, passwordHash, policy, token, meta);
  // Lost a race with a sign-up for the same address: answered as for any taken address.
  if (!user) return outcome;

  const link = `${s.config.registration.publicUrl}/verify-email?token=${token}`;
  await sendMail(
    s,
    {
      to: user.email,
      subject: 'Confirm your e-mail address',
      text: `Hello ${user.name},\n\nOpen this link to confirm your address and activate your account (it works for 24 hours):\n\n${link}\n\nIf you did not sign up, ignore this message.`,
    },
    // An account nobody can activate would block the address: undo it, so trying again works.
    () => s.prisma.user.delete({ where: { id: user.id } }),
  );
  return outcome;
}

/** The pending account, its groups, its verification token (with a mailer) and the audit entry; null when the address was taken meanwhile. */
async function createPendingAccount(s: Services, input: RegistrationInput, passwordHash: string, policy: RegistrationSetting, token: string, meta: RequestMeta) {
  try {
    return await s.prisma.$transaction(async (tx) => {
      const created = await tx.user.create({
        data: {
          email: input.email,
          name: input.name,
          passwordHash,
          role: policy.defaultRole ?? 'user',
          mustChangePassword: false,
          pending: s.mailer ? 'email_verification' : 'approval',
          memberships: { create: (policy.defaultGroupIds ?? []).map((groupId) => ({ groupId })) },
        },
      });
      if (s.mailer) {
        await tx.emailVerification.create({ data: { userId: created.id, tokenHash: hashVerificationToken(token), expiresAt: new Date(Date.now() + VERIFICATION_TTL_MS) } });
      }
      await s.audit.record(
        {
          actor: { id: created.id, email: created.email },
          action: 'auth.register',
          resource: { type: 'user', id: created.id },
          newValues: { email: created.email, name: created.name, role: created.role, groupIds: policy.defaultGroupIds ?? [], pending: created.pending },
          meta,
        },
        tx,
      );
      return created;
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'P2002') return null;
    throw error;
  }
}

/** Sends when a mailer is configured; a failed send undoes what it was for and is reported as the mail server's failure. */
async function sendMail(s: Services, message: MailMessage, undo?: () => Promise<unknown>): Promise<void> {
  if (!s.mailer) return;
  try {
    await s.mailer.send(message);
  } catch (err) {
    s.logger.error({ err, subject: message.subject }, 'mail could not be sent');
    await undo?.();
    throw new AppError('upstream_failed', 'The e-mail could not be sent; try again later');
  }
}
