import bcrypt from 'bcrypt';
import { z } from 'zod';

// bcrypt reads at most 72 bytes; a longer password would be silently cut.
const MAX_PASSWORD_BYTES = 72;

export const PasswordPolicy = z
  .string()
  .min(10, 'must be at least 10 characters')
  .refine((p) => Buffer.byteLength(p, 'utf8') <= MAX_PASSWORD_BYTES, `must be at most ${MAX_PASSWORD_BYTES} bytes`)
  .refine((p) => /\p{L}/u.test(p) && /[\p{N}\p{P}\p{S}]/u.test(p), 'must contain a letter and a digit or symbol');

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return Promise.resolve(false);
  return bcrypt.compare(password, hash);
}

// Compared against when the email is unknown, so a login takes as long either
// way and response time does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;
export function timingSafeDummyHash(cost: number): Promise<string> {
  dummyHash ??= bcrypt.hash('atrium-no-such-user', cost);
  return dummyHash;
}
