import { randomBytes } from 'node:crypto';
import { announceAccessChange } from '../../auth/accountCache.js';
import { hashPassword } from '../../auth/passwords.js';
import type { Prisma, User } from '../../db/generated/client.js';
import type { Role } from '../../db/generated/enums.js';
import type { RequestMeta } from '../../governance/auditLog.js';
import type { Services } from '../../services.js';
import { joinDefaultGroups, syncMemberships } from '../membershipSync.js';
import type { OidcClaims } from './oidcClient.js';
import { SsoError } from './ssoErrors.js';
import type { SsoSettings } from './ssoSettings.js';

const ROLE_RANK: Record<Role, number> = { user: 0, manager: 1, admin: 2 };

/**
 * Finds or creates the Atrium user for verified provider claims, by the
 * account policy, and brings their groups and role in step with the claims.
 * Nothing is written unless the person may sign in.
 */
export async function signInWithClaims(s: Services, settings: SsoSettings, claims: OidcClaims, meta: RequestMeta): Promise<User> {
  // Only a new account needs one: a password nobody knows, so only single sign-on opens it.
  const unusablePassword = () => hashPassword(randomBytes(32).toString('base64url'), s.config.auth.bcryptCost);
  const signedIn = await s.prisma.$transaction(async (tx) => {
    const { user, created, linked } = await resolveAccount(tx, settings, claims, unusablePassword);
    const actor = { id: user.id, email: user.email };
    const source = { issuer: claims.issuer, subject: claims.subject };
    if (created) {
      const defaultGroups = await joinDefaultGroups(tx, user.id);
      await s.audit.record({ actor, action: 'sso.user_create', resource: { type: 'user', id: user.id }, newValues: { email: user.email, name: user.name, role: user.role, ...source, defaultGroups }, meta }, tx);
    }
    if (linked) {
      await s.audit.record({ actor, action: 'sso.user_link', resource: { type: 'user', id: user.id }, newValues: source, meta }, tx);
    }

    const providerGroups = groupsFromClaims(claims.all, settings.groupsClaim);
    const groupIds = await mappedGroupIds(tx, settings, providerGroups);
    const { added, removed } = await syncMemberships(tx, user.id, 'oidc', groupIds);
    if (added.length || removed.length) {
      await s.audit.record({ actor, action: 'sso.group_sync', resource: { type: 'user', id: user.id }, newValues: { added, removed, providerGroups }, meta }, tx);
    }

    const role = await syncedRole(tx, settings, user, providerGroups);
    if (role !== user.role) {
      await tx.user.update({ where: { id: user.id }, data: { role } });
      await s.audit.record({ actor, action: 'sso.role_sync', resource: { type: 'user', id: user.id }, oldValues: { role: user.role }, newValues: { role, providerGroups }, meta }, tx);
    }

    const signedIn = await tx.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date(), failedLoginCount: 0, lockedUntil: null } });
    await tx.userIdentity.update({ where: { issuer_subject: { issuer: claims.issuer, subject: claims.subject } }, data: { lastLoginAt: new Date(), email: claims.email } });
    await s.audit.record({ actor, action: 'auth.sso_login', resource: { type: 'user', id: user.id }, newValues: source, meta }, tx);
    return signedIn;
  });
  // Groups and role follow the provider's claims at each sign-in.
  await announceAccessChange(s, signedIn.id);
  return signedIn;
}

async function resolveAccount(tx: Prisma.TransactionClient, settings: SsoSettings, claims: OidcClaims, unusablePassword: () => Promise<string>) {
  const identity = await tx.userIdentity.findUnique({ where: { issuer_subject: { issuer: claims.issuer, subject: claims.subject } }, include: { user: true } });
  if (identity) {
    if (!identity.user.active) throw new SsoError('account_deactivated');
    return { user: identity.user, created: false, linked: false };
  }
  if (!claims.email) throw new SsoError('email_missing');

  const existing = await tx.user.findUnique({ where: { email: claims.email }, include: { identities: { where: { issuer: claims.issuer } } } });
  if (existing) {
    // Linking hands the local account to whoever the provider vouches for, so the address must be theirs.
    const verified = claims.emailVerified === true || (claims.emailVerified === undefined && settings.trustUnverifiedEmail);
    if (!verified) throw new SsoError('email_not_verified');
    if (!existing.active) throw new SsoError('account_deactivated');
    if (existing.identities.length) throw new SsoError('identity_conflict', `already linked to subject ${existing.identities[0]!.subject}`);
    await tx.userIdentity.create({ data: { userId: existing.id, issuer: claims.issuer, subject: claims.subject, email: claims.email } });
    return { user: existing, created: false, linked: true };
  }

  if (settings.accountPolicy === 'existing') throw new SsoError('not_provisioned');
  if (settings.accountPolicy === 'domains') {
    const domain = claims.email.split('@').pop() ?? '';
    if (claims.emailVerified === false || !settings.allowedDomains.includes(domain)) throw new SsoError('domain_not_allowed', `domain ${domain}`);
  }
  const user = await tx.user.create({
    data: {
      email: claims.email,
      name: claims.name?.trim().slice(0, 200) || claims.email.split('@')[0]!,
      passwordHash: await unusablePassword(),
      mustChangePassword: false,
      identities: { create: { issuer: claims.issuer, subject: claims.subject, email: claims.email } },
    },
  });
  return { user, created: true, linked: false };
}

/** The groups claim as a list of names (one string or an array of strings). */
export function groupsFromClaims(all: Record<string, unknown>, claim: string): string[] {
  const value = all[claim];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

async function mappedGroupIds(tx: Prisma.TransactionClient, settings: SsoSettings, providerGroups: string[]): Promise<Set<string>> {
  const carried = new Set(providerGroups);
  const names = new Set(settings.groupMapping.filter((m) => carried.has(m.claim)).map((m) => m.group));
  if (settings.groupsByName) providerGroups.forEach((g) => names.add(g));
  if (!names.size) return new Set();
  const groups = await tx.group.findMany({ where: { name: { in: [...names] } }, select: { id: true } });
  return new Set(groups.map((g) => g.id));
}

/** The role the claims give; unchanged when no role mapping is set, for break-glass admins, or when it would remove the last admin. */
async function syncedRole(tx: Prisma.TransactionClient, settings: SsoSettings, user: User, providerGroups: string[]): Promise<Role> {
  if (!settings.roleMapping.length || settings.breakGlassEmails.includes(user.email)) return user.role;
  const carried = new Set(providerGroups);
  const role = settings.roleMapping
    .filter((m) => carried.has(m.claim))
    .reduce<Role>((best, m) => (ROLE_RANK[m.role] > ROLE_RANK[best] ? m.role : best), 'user');
  if (user.role === 'admin' && role !== 'admin') {
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(7214031339)');
    if ((await tx.user.count({ where: { role: 'admin', active: true } })) <= 1) return user.role;
  }
  return role;
}
