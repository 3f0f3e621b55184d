import { z } from 'zod';
import { ssoErrorMessages } from '../../../identity/oidc/ssoErrors.js';
import { SsoSettingsBody } from '../../../identity/oidc/ssoSettings.js';

export const OidcLoginQuery = z.object({ returnTo: z.string().max(1000).optional() });

// The provider's parameters are read by openid-client from the URL itself.
export const OidcCallbackQuery = z.object({}).catchall(z.string().max(8000));

export const SsoPublicConfig = z
  .object({
    enabled: z.boolean(),
    displayName: z.string(),
    loginUrl: z.string(),
    passwordLogin: z.enum(['everyone', 'breakGlassOnly']),
    /** The sentence each `?sso_error=` code stands for. */
    errors: z.record(z.enum(Object.keys(ssoErrorMessages) as [keyof typeof ssoErrorMessages]), z.string()),
  })
  .meta({ id: 'SsoPublicConfig' });

export const OidcLogoutBody = z.object({ returnTo: z.string().max(1000).optional() }).optional();
export const OidcLogoutResponse = z
  .object({ endSessionUrl: z.string().nullable().describe("Open this to end the provider's session too (null when there is none)") })
  .meta({ id: 'OidcLogout' });

export { SsoSettingsBody };

export const SsoSettingsView = z
  .object({
    enabled: z.boolean(),
    issuerUrl: z.string(),
    clientId: z.string(),
    clientSecretSet: z.boolean(),
    secretHint: z.string().nullable(),
    displayName: z.string(),
    scopes: z.string(),
    accountPolicy: z.enum(['anyone', 'domains', 'existing']),
    allowedDomains: z.array(z.string()),
    trustUnverifiedEmail: z.boolean(),
    groupsClaim: z.string(),
    groupsByName: z.boolean(),
    groupMapping: z.array(z.object({ claim: z.string(), group: z.string() })),
    roleMapping: z.array(z.object({ claim: z.string(), role: z.enum(['admin', 'manager', 'user']) })),
    passwordLogin: z.enum(['everyone', 'breakGlassOnly']),
    breakGlassEmails: z.array(z.string()),
    saved: z.boolean(),
    redirectUri: z.string(),
  })
  .meta({ id: 'SsoSettings' });

export const SsoTestResult = z
  .union([
    z.object({ ok: z.literal(true), issuer: z.string(), endSession: z.boolean(), scopes: z.array(z.string()) }),
    z.object({ ok: z.literal(false), problem: z.string() }),
  ])
  .meta({ id: 'SsoTestResult' });
