#!/usr/bin/env node
// Writes .env from .env.example with fresh secrets, once. An existing .env is
// never touched, so re-running is safe.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}.env`;
if (fs.existsSync(target)) {
  console.log('.env exists; leaving it as it is');
  process.exit(0);
}
const example = fs.readFileSync(`${root}.env.example`, 'utf8');
const secrets = {
  JWT_SECRET: randomBytes(48).toString('base64url'),
  MASTER_KEY: randomBytes(32).toString('base64'),
  ADMIN_PASSWORD: `${randomBytes(9).toString('base64url')}-1a`,
};
const env = example.replace(/^(JWT_SECRET|MASTER_KEY|ADMIN_PASSWORD)=.*$/gm, (_line, key) => `${key}=${secrets[key]}`);
fs.writeFileSync(target, env, { mode: 0o600 });
const adminEmail = /^ADMIN_EMAIL=(.*)$/m.exec(env)?.[1];
console.log(`Wrote .env with new secrets. First admin: ${adminEmail} / ${secrets.ADMIN_PASSWORD} (change it after logging in)`);
