import { z } from 'zod';
import { defaultTokenSettings, TokenSettings } from '../../../integrations/tokens/tokenPolicy.js';

// The system-wide settings the console edits: a fixed set of keys, each with its
// own schema and a default used until an admin saves a value.

export const RagDefaults = z
  .object({
    topK: z.number().int().min(1).max(50),
    similarityThreshold: z.number().min(0).max(1),
    chunkSize: z.number().int().min(64).max(4096),
    chunkOverlap: z.number().int().min(0).max(1024),
  })
  .strict()
  .refine((v) => v.chunkOverlap < v.chunkSize, { message: 'must be smaller than chunkSize', path: ['chunkOverlap'] })
  .meta({ id: 'RagDefaults' });

export const RegistrationPolicy = z
  .object({ policy: z.enum(['closed', 'invite']) })
  .strict()
  .meta({ id: 'RegistrationPolicy' });

export const Branding = z
  .object({
    name: z.string().trim().min(1).max(80),
    accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f6feb'),
    // Only http(s) or a same-origin path: the console renders it as an image.
    logoUrl: z
      .string()
      .max(2000)
      .regex(/^(https?:\/\/|\/)[^\s]*$/, 'must be an http(s) URL or a path starting with /')
      .optional(),
  })
  .strict()
  .meta({ id: 'Branding' });

export const settingSchemas = {
  'rag.defaults': RagDefaults,
  registration: RegistrationPolicy,
  branding: Branding,
  /** Personal access tokens: longest expiry, roles and groups without tokens (integrations). */
  tokens: TokenSettings,
} as const;

export type SettingKey = keyof typeof settingSchemas;
export type SettingValue<K extends SettingKey> = z.infer<(typeof settingSchemas)[K]>;

export const settingDefaults: { [K in SettingKey]: SettingValue<K> } = {
  'rag.defaults': { topK: 5, similarityThreshold: 0.7, chunkSize: 512, chunkOverlap: 50 },
  registration: { policy: 'closed' },
  branding: { name: 'Atrium', accentColor: '#1f6feb' },
  tokens: defaultTokenSettings,
};

export const settingKeys = Object.keys(settingSchemas) as [SettingKey, ...SettingKey[]];

export const SettingParams = z.object({ key: z.enum(settingKeys) });

export const SettingView = z
  .object({
    key: z.enum(settingKeys),
    value: z.union([RagDefaults, RegistrationPolicy, Branding, TokenSettings]),
    /** False while the default applies. */
    saved: z.boolean(),
    updatedAt: z.iso.datetime().nullable(),
    updatedById: z.uuid().nullable(),
  })
  .meta({ id: 'Setting' });

export const SettingList = z.object({ data: z.array(SettingView), total: z.number().int() }).meta({ id: 'SettingList' });

export const SettingBody = z
  .record(z.string(), z.unknown())
  .describe('The new value: RagDefaults for rag.defaults, RegistrationPolicy for registration, Branding for branding, TokenSettings for tokens')
  .meta({ id: 'SettingValue' });
