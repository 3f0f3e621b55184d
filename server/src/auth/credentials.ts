import type { PrismaClient } from '../db/database.js';
import type { User } from '../db/generated/client.js';
import { AppError } from '../errors/appError.js';
import type { AuditLog, RequestMeta } from '../governance/auditLog.js';
import { timingSafeDummyHash, verifyPassword } from './passwords.js';

export interface LockoutPolicy {
  maxFailures: number;
  lockoutMinutes: number;
  bcryptCost: number;
}

function lockedError(until: Date): AppError {
  const retryAfter = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppError(
    'account_locked',
    `Too many failed logins; the account is locked for ${Math.ceil(retryAfter / 60)} more minute(s)`,
    { retryAfterSeconds: retryAfter, lockedUntil: until.toISOString() },
    { 'Retry-After': String(retryAfter) },
  );
}

/**
 * Checks an email and password, counting failures per account and locking it
 * after too many. Every outcome is audited. Unknown emails and wrong passwords
 * give the same answer.
 */
export async function verifyCredentials(
  deps: { prisma: PrismaClient; audit: AuditLog; policy: LockoutPolicy },
  email: string,
  password: string,
  meta: RequestMeta,
): Promise<User> {
  const { prisma, audit, policy } = deps;
  const invalid = new AppError('invalid_credentials', 'Email or password is incorrect');
  const user = await prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) {
    await verifyPassword(password, await timingSafeDummyHash(policy.bcryptCost));
    await audit.record({ actor: { email }, action: 'auth.login_failed', newValues: { reason: 'unknown email' }, meta });
    throw invalid;
  }
  if (user.lockedUntil && user.lockedUntil > new Date()) {
    await audit.record({ actor: user, action: 'auth.login_refused', resource: { type: 'user', id: user.id }, newValues: { reason: 'locked' }, meta });
    throw lockedError(user.lockedUntil);
  }

  if (!(await verifyPassword(password, user.passwordHash))) {
    // Incremented in SQL so concurrent failures are all counted.
    const [row] = await prisma.$queryRaw<{ failed_login_count: number }[]>`
      UPDATE users SET failed_login_count = failed_login_count + 1, updated_at = now()
       WHERE id = ${user.id}::uuid RETURNING failed_login_count`;
    const failures = row?.failed_login_count ?? 1;
    await audit.record({ actor: user, action: 'auth.login_failed', resource: { type: 'user', id: user.id }, newValues: { failures }, meta });
    if (failures >= policy.maxFailures) {
      const until = new Date(Date.now() + policy.lockoutMinutes * 60_000);
      await prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: { lockedUntil: until, failedLoginCount: 0 } });
        await audit.record({ actor: user, action: 'auth.lockout', resource: { type: 'user', id: user.id }, newValues: { lockedUntil: until, failures }, meta }, tx);
      });
      throw lockedError(until);
    }
    throw invalid;
  }

  // Told only after the password matched, so the answer reveals nothing to someone guessing.
  if (user.pending) {
    await audit.record({ actor: user, action: 'auth.login_refused', resource: { type: 'user', id: user.id }, newValues: { reason: `pending ${user.pending}` }, meta });
    const waitingFor = user.pending === 'email_verification' ? 'confirm your e-mail address with the link we sent' : 'wait until an administrator approves it';
    throw new AppError('account_pending', `This account is not active yet: ${waitingFor}`, { pending: user.pending });
  }
  if (!user.active) {
    await audit.record({ actor: user, action: 'auth.login_refused', resource: { type: 'user', id: user.id }, newValues: { reason: 'inactive' }, meta });
    throw new AppError('invalid_credentials', 'This account is deactivated');
  }
  return prisma.$transaction(async (tx) => {
    const updated = await tx.user.update({
      where: { id: user.id },
      data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: new Date() },
    });
    await audit.record({ actor: user, action: 'auth.login', resource: { type: 'user', id: user.id }, meta }, tx);
    return updated;
  });
}
