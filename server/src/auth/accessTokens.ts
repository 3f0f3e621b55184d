import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../errors/appError.js';

export interface AccessClaims {
  sub: string;
  role: string;
  /** Issued-at in milliseconds (JWT's own `iat` is whole seconds, too coarse to order against a password change). */
  issuedAtMs: number;
}

const ISSUER = 'atrium';
const AUDIENCE = 'atrium-api';

export class AccessTokens {
  // A KeyObject, not the string: given a string, jsonwebtoken first tries to
  // read it as a PEM public key and throws, on every token — most of the cost
  // of a verification.
  private readonly key: KeyObject;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(user: { id: string; role: string }): string {
    return jwt.sign({ role: user.role, typ: 'access', iatMs: Date.now() }, this.key, {
      algorithm: 'HS256',
      subject: user.id,
      expiresIn: this.ttlSeconds,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  }

  verify(token: string): AccessClaims {
    try {
      const claims = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
      if (typeof claims === 'string' || claims.typ !== 'access' || !claims.sub || typeof claims.iatMs !== 'number') {
        throw new AppError('unauthenticated', 'Invalid access token');
      }
      return { sub: claims.sub, role: String(claims.role), issuedAtMs: claims.iatMs };
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new AppError('token_expired', 'Access token expired');
      if (error instanceof AppError) throw error;
      throw new AppError('unauthenticated', 'Invalid access token');
    }
  }
}
