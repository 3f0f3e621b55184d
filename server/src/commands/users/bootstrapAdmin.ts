import { hashPassword, PasswordPolicy } from '../../auth/passwords.js';
import type { Services } from '../../services.js';

/**
 * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when no user has
 * that email yet. Safe to run at every start; it never changes an existing user.
 */
export async function bootstrapAdmin(
  s: Pick<Services, 'prisma' | 'audit' | 'logger'>,
  admin: { email: string; password: string; name: string },
  bcryptCost: number,
  source: 'environment' | 'cli',
): Promise<'created' | 'exists'> {
  const policy = PasswordPolicy.safeParse(admin.password);
  if (!policy.success) throw new Error(`Admin password ${policy.error.issues.map((i) => i.message).join('; ')}`);
  const email = admin.email.toLowerCase();
  if (await s.prisma.user.findUnique({ where: { email }, select: { id: true } })) return 'exists';
  const passwordHash = await hashPassword(admin.password, bcryptCost);
  try {
    await s.prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name: admin.name, role: 'admin', passwordHash } });
      await s.audit.record({ actor: null, action: 'user.bootstrap_admin', resource: { type: 'user', id: user.id }, newValues: { email, source } }, tx);
    });
  } catch (error) {
    // Replicas starting together (scale-out): another one created it between the check and here.
    if ((error as { code?: string }).code === 'P2002') return 'exists';
    throw error;
  }
  s.logger.info({ email }, 'first admin created');
  return 'created';
}
