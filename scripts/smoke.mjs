#!/usr/bin/env node
// Starts the built product exactly as `npm start` does (embedded database in
// a fresh temporary directory), checks the API, both apps and a login, then
// stops it. Bounded: gives up after 60 seconds.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-smoke-'));
const port = 3900 + Math.floor(Math.random() * 100);
const base = `http://127.0.0.1:${port}`;
const admin = { email: 'smoke@example.com', password: 'smoke test secret 1' };

const child = spawn(process.execPath, ['server/dist/main.js', 'api'], {
  cwd: root,
  env: {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: '',
    DATA_DIR: path.join(dir, 'data'),
    UPLOADS_DIR: path.join(dir, 'uploads'),
    JWT_SECRET: 'smoke-test-secret-with-enough-length-0123456789',
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});

const fail = (message) => {
  console.error(`smoke: FAILED: ${message}`);
  child.kill('SIGTERM');
  process.exitCode = 1;
};
const deadline = setTimeout(() => fail('timed out after 60 s'), 60_000);

async function waitReady() {
  for (;;) {
    try {
      const res = await fetch(`${base}/api/ready`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function expectHtml(url) {
  const res = await fetch(url, { headers: { accept: 'text/html' } });
  const body = await res.text();
  if (res.status !== 200 || !body.includes('<div id="root">')) throw new Error(`${url} answered ${res.status}`);
}

try {
  await waitReady();
  await expectHtml(`${base}/`);
  await expectHtml(`${base}/admin/`);
  await expectHtml(`${base}/admin/users`);
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  if (login.status !== 200) throw new Error(`admin login answered ${login.status}`);
  console.log('smoke: passed (API ready, chat app at /, console at /admin/, first admin can log in)');
} catch (error) {
  fail(error.message);
} finally {
  clearTimeout(deadline);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dir, { recursive: true, force: true });
}
