import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import * as client from 'openid-client';
import type { LoginChecks } from './oidcClient.js';

// What the callback must know about the sign-in it completes (state, nonce,
// PKCE verifier, where to go back to) travels in a short-lived signed cookie,
// so no half-made server state exists before the provider answers.

export const LOGIN_COOKIE = 'atrium_oidc';
export const LOGIN_COOKIE_PATH = '/api/v1/auth/oidc';
const TTL_SECONDS = 600;
const AUDIENCE = 'atrium-oidc-login';

export interface LoginTransaction extends LoginChecks {
  returnTo: string;
}

export class LoginTransactions {
  private readonly key: Buffer;

  constructor(jwtSecret: string) {
    // A key of its own, so this cookie can never pass as an access token.
    this.key = createHmac('sha256', jwtSecret).update('oidc login transaction').digest();
  }

  readonly ttlMs = TTL_SECONDS * 1000;

  begin(returnTo: string): { transaction: LoginTransaction; cookie: string } {
    const transaction = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier(), returnTo };
    const cookie = jwt.sign(transaction, this.key, { algorithm: 'HS256', expiresIn: TTL_SECONDS, audience: AUDIENCE });
    return { transaction, cookie };
  }

  /** The transaction of a cookie, or undefined when it is missing, expired or forged. */
  read(cookie: string | undefined): LoginTransaction | undefined {
    if (!cookie) return undefined;
    try {
      const claims = jwt.verify(cookie, this.key, { algorithms: ['HS256'], audience: AUDIENCE }) as Partial<LoginTransaction>;
      if (typeof claims.state !== 'string' || typeof claims.nonce !== 'string' || typeof claims.codeVerifier !== 'string' || typeof claims.returnTo !== 'string') return undefined;
      return { state: claims.state, nonce: claims.nonce, codeVerifier: claims.codeVerifier, returnTo: claims.returnTo };
    } catch {
      return undefined;
    }
  }
}

/**
 * A same-origin path to go back to after sign-in; anything else (another
 * origin, `//host`, a backslash trick) falls back to the chat app.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 1000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || /[\u0000-\u001f]/.test(value)) return '/';
  return value;
}

/** The app a path belongs to: its sign-in page shows the errors. */
export function appOf(returnTo: string): '/admin/' | '/' {
  return returnTo === '/admin' || returnTo.startsWith('/admin/') ? '/admin/' : '/';
}
