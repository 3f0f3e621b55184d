import { z } from 'zod';
import type { Config } from '../../config/index.js';
import type { PrismaClient } from '../../db/database.js';
import type { SsoConfig } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { KeyVaultError, secretHint, type KeyVault } from '../../governance/keyVault.js';

// Single sign-on settings: the environment gives the defaults (OIDC_*), the
// console's saved row takes over once an admin saves it. The client secret is
// sealed by the key vault and never leaves the server.

const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain such as example.com');

export const SsoPolicy = z
  .object({
    /** Who may get an account at first sign-in. */
    accountPolicy: z.enum(['anyone', 'domains', 'existing']),
    allowedDomains: z.array(Domain).max(100),
    /** Link an existing local account when the provider does not say the email is verified (Entra ID sends no email_verified). */
    trustUnverifiedEmail: z.boolean(),
    groupsClaim: z.string().trim().min(1).max(200),
    /** A provider group whose name equals an Atrium group's joins it, without a mapping row. */
    groupsByName: z.boolean(),
    groupMapping: z.array(z.object({ claim: z.string().trim().min(1).max(500), group: z.string().trim().min(1).max(200) })).max(500),
    /** Empty: roles are never changed by sign-in. Otherwise the highest role whose claim the person carries, else `user`. */
    roleMapping: z.array(z.object({ claim: z.string().trim().min(1).max(500), role: z.enum(['admin', 'manager', 'user']) })).max(100),
    /** `breakGlassOnly`: password login is refused except for the listed accounts. */
    passwordLogin: z.enum(['everyone', 'breakGlassOnly']),
    breakGlassEmails: z.array(z.email().trim().toLowerCase()).max(20),
  })
  .strict();

export const SsoSettingsBody = SsoPolicy.extend({
  enabled: z.boolean(),
  issuerUrl: z.union([z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }), z.literal('')]),
  clientId: z.string().trim().max(500),
  /** Write-only: omitted keeps the stored secret, an empty string removes it. */
  clientSecret: z.string().max(2000).optional(),
  displayName: z.string().trim().min(1).max(80),
  scopes: z.string().trim().regex(/(^|\s)openid(\s|$)/, 'must include openid').max(500),
})
  .strict()
  .superRefine((v, ctx) => {
    if (v.enabled && (!v.issuerUrl || !v.clientId)) ctx.addIssue({ code: 'custom', path: ['issuerUrl'], message: 'an issuer URL and a client id are needed to turn single sign-on on' });
    if (v.accountPolicy === 'domains' && v.allowedDomains.length === 0) ctx.addIssue({ code: 'custom', path: ['allowedDomains'], message: 'list at least one domain' });
    if (v.passwordLogin === 'breakGlassOnly' && v.breakGlassEmails.length === 0) ctx.addIssue({ code: 'custom', path: ['breakGlassEmails'], message: 'name at least one break-glass admin' });
  })
  .meta({ id: 'SsoSettingsInput' });

export type SsoSettingsInput = z.infer<typeof SsoSettingsBody>;
type StoredSettings = Omit<SsoSettingsInput, 'clientSecret'>;

/** The settings in force, secret included; for the server only. */
export interface SsoSettings extends StoredSettings {
  clientSecret: string | undefined;
  secretHint: string | null;
  /** Whether the console saved settings (false: the environment's apply). */
  saved: boolean;
}

const DEFAULT_POLICY: z.infer<typeof SsoPolicy> = {
  accountPolicy: 'anyone',
  allowedDomains: [],
  trustUnverifiedEmail: false,
  groupsClaim: 'groups',
  groupsByName: true,
  groupMapping: [],
  roleMapping: [],
  passwordLogin: 'everyone',
  breakGlassEmails: [],
};

const ROW_ID = 'default';

export class SsoSettingsStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly keyVault: KeyVault,
    private readonly env: Config['oidc'],
  ) {}

  private fromEnvironment(): SsoSettings {
    return {
      ...DEFAULT_POLICY,
      enabled: Boolean(this.env.issuerUrl && this.env.clientId),
      issuerUrl: this.env.issuerUrl ?? '',
      clientId: this.env.clientId ?? '',
      clientSecret: this.env.clientSecret,
      secretHint: this.env.clientSecret ? secretHint(this.env.clientSecret) : null,
      displayName: this.env.displayName,
      scopes: 'openid email profile',
      saved: false,
    };
  }

  async current(): Promise<SsoSettings> {
    const row = await this.prisma.ssoConfig.findUnique({ where: { id: ROW_ID } });
    if (!row) return this.fromEnvironment();
    const stored = row.settings as StoredSettings;
    return { ...DEFAULT_POLICY, ...stored, clientSecret: this.openSecret(row), secretHint: row.secretHint, saved: true };
  }

  /** Saves the console's settings; returns the previous and the new ones for the audit entry. */
  async save(input: SsoSettingsInput, updatedById: string): Promise<{ before: SsoSettings; after: SsoSettings }> {
    const before = await this.current();
    const { clientSecret, ...settings } = input;
    const secret = clientSecret === undefined ? before.clientSecret : clientSecret.trim() || undefined;
    if (secret && !this.keyVault.configured) {
      throw new AppError('not_configured', 'Set MASTER_KEY to store a client secret (it is kept encrypted)');
    }
    const sealed = secret ? this.keyVault.seal(secret, ROW_ID) : undefined;
    const columns = {
      settings,
      ciphertext: sealed?.ciphertext ?? null,
      iv: sealed?.iv ?? null,
      authTag: sealed?.authTag ?? null,
      wrappedDataKey: sealed?.wrappedDataKey ?? null,
      masterKeyId: sealed?.masterKeyId ?? null,
      secretHint: secret ? secretHint(secret) : null,
      updatedById,
    };
    await this.prisma.ssoConfig.upsert({ where: { id: ROW_ID }, create: { id: ROW_ID, ...columns }, update: columns });
    return { before, after: await this.current() };
  }

  private openSecret(row: SsoConfig): string | undefined {
    if (!row.ciphertext || !row.iv || !row.authTag || !row.wrappedDataKey || !row.masterKeyId) return undefined;
    try {
      return this.keyVault.open({ id: row.id, ciphertext: row.ciphertext, iv: row.iv, authTag: row.authTag, wrappedDataKey: row.wrappedDataKey, masterKeyId: row.masterKeyId });
    } catch (error) {
      if (error instanceof KeyVaultError) throw new AppError('not_configured', 'The stored single sign-on client secret cannot be opened with this MASTER_KEY');
      throw error;
    }
  }
}

/** The settings as the console sees them: everything but the secret, which shows as a hint. */
export function presentSsoSettings(s: SsoSettings) {
  const { clientSecret, ...rest } = s;
  return { ...rest, clientSecretSet: Boolean(clientSecret) };
}
