import { z } from 'zod';

// What a personal access token may reach, and the admin's switches over them.
// Kept free of http and db imports: the auth module, the commands and the
// settings route all read it.

export const tokenScopes = ['chat', 'knowledge:read', 'mcp'] as const;
export type TokenScope = (typeof tokenScopes)[number];

export const TOKEN_PREFIX = 'atr_';
export const DEFAULT_EXPIRY_DAYS = 90;

/** The `tokens` system setting. */
export const TokenSettings = z
  .object({
    /** The longest expiry a user may choose. */
    maxExpiryDays: z.number().int().min(1).max(3650),
    /** Roles whose members may not create or use tokens. */
    disabledRoles: z.array(z.enum(['admin', 'manager', 'user'])).max(3),
    /** Groups whose members may not create or use tokens. */
    disabledGroupIds: z.array(z.uuid()).max(500),
  })
  .strict()
  .meta({ id: 'TokenSettings' });
export type TokenSettings = z.infer<typeof TokenSettings>;

export const defaultTokenSettings: TokenSettings = { maxExpiryDays: 365, disabledRoles: [], disabledGroupIds: [] };

/** A stored setting read back (it was validated when saved; a missing key falls back to the default). */
export function tokenSettingsFrom(value: unknown): TokenSettings {
  const parsed = TokenSettings.safeParse(value);
  return parsed.success ? parsed.data : defaultTokenSettings;
}

/** Why tokens are off for this person, or null when they are allowed. */
export function tokensDisabledFor(settings: TokenSettings, person: { role: string; groupIds: Iterable<string> }): string | null {
  if (settings.disabledRoles.includes(person.role as TokenSettings['disabledRoles'][number])) return 'Personal access tokens are disabled for your role';
  const disabled = new Set(settings.disabledGroupIds);
  for (const groupId of person.groupIds) if (disabled.has(groupId)) return 'Personal access tokens are disabled for one of your groups';
  return null;
}
