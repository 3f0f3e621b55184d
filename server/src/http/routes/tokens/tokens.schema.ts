import { z } from 'zod';
import { tokenScopes } from '../../../integrations/tokens/tokenPolicy.js';

export const TokenCreate = z
  .object({
    name: z.string().trim().min(1).max(100),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
    scopes: z.array(z.enum(tokenScopes)).min(1).max(tokenScopes.length).optional().describe('Default: ["chat"]'),
  })
  .strict()
  .meta({ id: 'TokenCreate' });

export const TokenView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    /** `atr_` and the token's lookup part: enough to recognise it, not to use it. */
    prefix: z.string(),
    scopes: z.array(z.string()),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'PersonalAccessToken' });

export const CreatedToken = TokenView.extend({ token: z.string().describe('The token itself, shown this once only') }).meta({ id: 'CreatedPersonalAccessToken' });

export const TokenList = z.object({ data: z.array(TokenView), total: z.number().int() }).meta({ id: 'PersonalAccessTokenList' });

export const OwnedTokenView = TokenView.extend({ owner: z.object({ id: z.uuid(), email: z.string(), name: z.string() }) }).meta({ id: 'OwnedPersonalAccessToken' });
export const OwnedTokenList = z.object({ data: z.array(OwnedTokenView), total: z.number().int() }).meta({ id: 'OwnedPersonalAccessTokenList' });
export const AllTokensQuery = z.object({ includeRevoked: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') });
