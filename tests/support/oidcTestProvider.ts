import { createSign, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

// A real OpenID Provider (oidc-provider, a certified implementation) on
// loopback, with its development login and consent screens, one confidential
// client and accounts that carry groups. `tamperIdToken` re-signs the ID token
// of the next token response with the provider's own key (wrong audience,
// expired): a correctly signed token the relying party must still refuse.

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Applied to the claims of the next ID token the token endpoint returns, then cleared. */
  tamperIdToken?: (claims: Record<string, unknown>) => Record<string, unknown>;
  /** Registers the relying party's redirect URIs and starts answering. */
  start(appOrigin: string): void;
  close(): Promise<void>;
}

/** oidc-provider warns (rightly) that its development screens are not for production; this is a test. */
function quietly<T>(build: () => T): T {
  const { warn, info } = console;
  console.warn = console.info = () => undefined;
  try {
    return build();
  } finally {
    Object.assign(console, { warn, info });
  }
}

function b64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

/** Listens first (so the issuer URL is known), answers once `start` has the client's redirect URI. */
export async function listenOidcTestProvider(): Promise<OidcTestProvider> {
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as JsonWebKey), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const resign = (idToken: string, change: (c: Record<string, unknown>) => Record<string, unknown>) => {
    const [header, payload] = idToken.split('.');
    const claims = change(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>);
    const signingInput = `${header}.${b64url(JSON.stringify(claims))}`;
    return `${signingInput}.${b64url(createSign('RSA-SHA256').update(signingInput).sign(privateKey))}`;
  };

  const accounts = new Map<string, TestAccount>();
  const idp: OidcTestProvider = {
    issuer,
    clientId: 'atrium',
    clientSecret: 'atrium-test-client-secret-0123456789',
    accounts,
    start(appOrigin) {
      const provider = quietly(() => new Provider(issuer, {
        clients: [
          {
            client_id: idp.clientId,
            client_secret: idp.clientSecret,
            redirect_uris: [`${appOrigin}/api/v1/auth/oidc/callback`],
            post_logout_redirect_uris: [`${appOrigin}/`, `${appOrigin}/admin/`],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        jwks: { keys: [jwk as never] },
        cookies: { keys: ['oidc-test-provider-cookie-key'] },
        // Groups ride on the profile scope, as a Keycloak groups mapper or an Okta groups claim would send them.
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
        features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
        findAccount: (_ctx, id) => {
          const account = accounts.get(id);
          return account ? { accountId: id, claims: () => ({ sub: id, ...account }) } : undefined;
        },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      }));
      provider.use(async (ctx, next) => {
        await next();
        const body = ctx.body as { id_token?: string } | undefined;
        if (ctx.path === '/token' && idp.tamperIdToken && body?.id_token) {
          body.id_token = resign(body.id_token, idp.tamperIdToken);
          idp.tamperIdToken = undefined;
        }
      });
      handler = provider.callback();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return idp;
}
