import { randomBytes } from 'node:crypto';

/** 16 random characters from an alphabet without look-alikes, plus a digit and symbol for the policy. */
export function generateTemporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  const body = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  return `${body}-7`;
}
