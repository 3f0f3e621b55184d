import * as client from 'openid-client';
import { AppError } from '../../errors/appError.js';
import type { SsoSettings } from './ssoSettings.js';
import { SsoError } from './ssoErrors.js';

// The relying party, through openid-client (a certified implementation): it
// checks the ID token's signature, issuer, audience, expiry and nonce, and the
// state and PKCE verifier of the authorization response.

const DISCOVERY_TTL_MS = 10 * 60_000;
const DISCOVERY_TIMEOUT_SECONDS = 10;

export interface OidcClaims {
  issuer: string;
  subject: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  /** Every claim of the ID token and userinfo, for the groups claim. */
  all: Record<string, unknown>;
  idToken?: string;
}

export interface LoginChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Plain http is accepted for loopback providers only (a Keycloak on the same machine, the tests). */
function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

export class OidcClient {
  private cached?: { key: string; at: number; config: Promise<client.Configuration> };

  /** The provider's configuration from discovery, cached for ten minutes per issuer and client. */
  async configuration(settings: SsoSettings): Promise<client.Configuration> {
    if (!settings.issuerUrl || !settings.clientId) throw new SsoError('not_configured');
    const key = JSON.stringify([settings.issuerUrl, settings.clientId, settings.clientSecret ?? '']);
    if (this.cached && this.cached.key === key && Date.now() - this.cached.at < DISCOVERY_TTL_MS) return this.cached.config;
    const config = this.discover(settings);
    this.cached = { key, at: Date.now(), config };
    config.catch(() => {
      if (this.cached?.config === config) this.cached = undefined;
    });
    return config;
  }

  private async discover(settings: SsoSettings): Promise<client.Configuration> {
    const issuer = new URL(settings.issuerUrl);
    const auth = settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None();
    try {
      return await client.discovery(issuer, settings.clientId, undefined, auth, {
        timeout: DISCOVERY_TIMEOUT_SECONDS,
        execute: issuer.protocol === 'http:' && isLoopback(issuer) ? [client.allowInsecureRequests] : [],
      });
    } catch (error) {
      throw new SsoError('provider_unreachable', describeDiscoveryFailure(error));
    }
  }

  /** Discovery for the console's "test" action: what the provider offers, or what is wrong. */
  async test(settings: SsoSettings): Promise<{ ok: true; issuer: string; endSession: boolean; scopes: string[] } | { ok: false; problem: string }> {
    this.cached = undefined;
    try {
      const metadata = (await this.configuration(settings)).serverMetadata();
      return { ok: true, issuer: metadata.issuer, endSession: Boolean(metadata.end_session_endpoint), scopes: metadata.scopes_supported ?? [] };
    } catch (error) {
      if (error instanceof SsoError) return { ok: false, problem: error.detail ?? error.message };
      throw error;
    }
  }

  async authorizationUrl(settings: SsoSettings, redirectUri: string, checks: LoginChecks): Promise<URL> {
    const config = await this.configuration(settings);
    return client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: settings.scopes,
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** Exchanges the code and validates the ID token; any failure is an SsoError naming what failed. */
  async completeLogin(settings: SsoSettings, callbackUrl: URL, checks: LoginChecks): Promise<OidcClaims> {
    const config = await this.configuration(settings);
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError) throw new SsoError('provider_refused', `${providerError}: ${callbackUrl.searchParams.get('error_description') ?? ''}`.trim());
    // Checked here as well as by openid-client, so a forged state is named as such.
    if (callbackUrl.searchParams.get('state') !== checks.state) throw new SsoError('state_mismatch');

    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
    } catch (error) {
      throw classifyGrantFailure(error);
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new SsoError('id_token_rejected', 'the provider sent no ID token');

    // Providers that follow the spec strictly put profile claims in userinfo only.
    let userinfo: Record<string, unknown> = {};
    if (config.serverMetadata().userinfo_endpoint) {
      try {
        userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      } catch (error) {
        throw new SsoError('provider_unreachable', `userinfo failed: ${(error as Error).message}`);
      }
    }
    const all: Record<string, unknown> = { ...userinfo, ...idClaims };
    const email = typeof all.email === 'string' ? all.email.trim().toLowerCase() : undefined;
    const verified = all.email_verified;
    return {
      issuer: idClaims.iss,
      subject: idClaims.sub,
      email: email || undefined,
      emailVerified: verified === true || verified === 'true' ? true : verified === false || verified === 'false' ? false : undefined,
      name: typeof all.name === 'string' ? all.name : undefined,
      all,
      idToken: tokens.id_token,
    };
  }

  /** Where to send the browser to end the provider's session, when it offers that. */
  async endSessionUrl(settings: SsoSettings, idToken: string | null, postLogoutRedirectUri: string): Promise<string | null> {
    const config = await this.configuration(settings).catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = { post_logout_redirect_uri: postLogoutRedirectUri, client_id: settings.clientId };
    if (idToken) params.id_token_hint = idToken;
    return client.buildEndSessionUrl(config, params).href;
  }
}

function describeDiscoveryFailure(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const detail = e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
  return `discovery at <issuer>/.well-known/openid-configuration failed: ${detail}`;
}

function classifyGrantFailure(error: unknown): SsoError | AppError {
  if (error instanceof client.ResponseBodyError) {
    // invalid_grant: the code was used before, expired, or issued to someone else.
    return new SsoError(error.error === 'invalid_grant' ? 'code_rejected' : 'provider_refused', `${error.error}: ${error.error_description ?? ''}`.trim());
  }
  if (error instanceof client.AuthorizationResponseError) return new SsoError('provider_refused', `${error.error}: ${error.error_description ?? ''}`.trim());
  const e = error as { code?: string; message?: string; cause?: unknown };
  const message = e.message ?? String(error);
  if (/state/i.test(message) && !/id token|jwt/i.test(message)) return new SsoError('state_mismatch', message);
  if (typeof e.code === 'string' && /^(OAUTH_JWT|OAUTH_JSON_ATTRIBUTE|ERR_JWS|ERR_JWT|OAUTH_INVALID_RESPONSE)/.test(e.code)) return new SsoError('id_token_rejected', message);
  if (typeof e.code === 'string' && e.code.startsWith('OAUTH_')) return new SsoError('id_token_rejected', message);
  return new SsoError('provider_unreachable', message);
}
