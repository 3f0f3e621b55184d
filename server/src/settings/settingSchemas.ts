import { z } from 'zod';
import { defaultTokenSettings, TokenSettings } from '../integrations/tokens/tokenPolicy.js';
import { defaultToolSettings, ToolSettings } from '../tools/toolSettings.js';
import { defaultWebSourceSettings, WebSourceSettings } from '../websources/webSourceSettings.js';

// The system-wide settings the console edits: a fixed set of keys, each with its
// own schema and a default used until an admin saves a value. The domain owns
// them (retrieval, ingestion and sign-in read them); the settings routes only
// present them.

export const RagDefaults = z
  .object({
    topK: z.number().int().min(1).max(50),
    similarityThreshold: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe("null: the embedder's calibrated value (0.7 for OpenAI-compatible embedders, 0.2 for the local one)"),
    chunkSize: z.number().int().min(64).max(4096),
    chunkOverlap: z.number().int().min(0).max(1024),
  })
  .strict()
  .refine((v) => v.chunkOverlap < v.chunkSize, { message: 'must be smaller than chunkSize', path: ['chunkOverlap'] })
  .meta({ id: 'RagDefaults' });

/** A bare domain name, compared exactly (lower case) with the part of an address after its last @. */
const EmailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/, 'must be a domain name such as example.com');

// 'closed' and 'invite' both mean accounts are made by administrators (no public
// sign-up); 'domains' opens the public sign-up to the listed e-mail domains.
export const RegistrationPolicy = z
  .object({
    policy: z.enum(['closed', 'invite', 'domains']),
    allowedDomains: z.array(EmailDomain).max(100).optional(),
    // Self-registration must never mint an administrator; the enum keeps admin so the refusal says why.
    defaultRole: z
      .enum(['admin', 'manager', 'user'])
      .refine((r) => r !== 'admin', 'self-registered accounts cannot be administrators')
      .optional(),
    defaultGroupIds: z.array(z.uuid()).max(50).optional(),
  })
  .strict()
  .refine((v) => v.policy !== 'domains' || (v.allowedDomains?.length ?? 0) > 0, {
    message: 'list at least one domain to open sign-up',
    path: ['allowedDomains'],
  })
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

/** Conversation attachments (docs/attachments.md): the largest file a user may attach, and how much each user may keep attached in all. */
export const AttachmentSettings = z
  .object({
    maxFileMb: z.number().int().min(1).max(500).describe('Largest single attachment, in MB (never above the server-wide MAX_UPLOAD_MB)'),
    userStorageMb: z.number().int().min(1).max(100_000).describe("Total size of one user's attachments across their conversations, in MB"),
  })
  .strict()
  .meta({ id: 'AttachmentSettings' });

export const settingSchemas = {
  'rag.defaults': RagDefaults,
  registration: RegistrationPolicy,
  branding: Branding,
  /** Personal access tokens: longest expiry, roles and groups without tokens (integrations). */
  tokens: TokenSettings,
  /** Tool calling in answers: steps per answer, time and size limits per call (tools). */
  tools: ToolSettings,
  /** Web sources: the private hosts they may reach (intranets) and their User-Agent. */
  webSources: WebSourceSettings,
  /** Conversation attachments: per-file size and per-user storage limits. */
  attachments: AttachmentSettings,
} as const;

export type SettingKey = keyof typeof settingSchemas;
export type SettingValue<K extends SettingKey> = z.infer<(typeof settingSchemas)[K]>;
export type RagDefaultsValue = SettingValue<'rag.defaults'>;

export const settingDefaults: { [K in SettingKey]: SettingValue<K> } = {
  'rag.defaults': { topK: 5, similarityThreshold: null, chunkSize: 512, chunkOverlap: 50 },
  registration: { policy: 'closed' },
  branding: { name: 'Atrium', accentColor: '#1f6feb' },
  tokens: defaultTokenSettings,
  tools: defaultToolSettings,
  webSources: defaultWebSourceSettings,
  attachments: { maxFileMb: 20, userStorageMb: 500 },
};

export const settingKeys = Object.keys(settingSchemas) as [SettingKey, ...SettingKey[]];
