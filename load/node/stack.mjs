// The system under load, all on 127.0.0.1: a streaming OpenAI-compatible test
// model server and the built Atrium API as child processes, on a fresh native
// Postgres database (BENCH_DATABASE_URL / TEST_DATABASE_URL) or the embedded
// one. Everything started here is stopped by `shutdown`, which also runs on
// SIGINT/SIGTERM and when the run's deadline passes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const root = new URL('../..', import.meta.url).pathname;
const children = [];
const cleanups = [];
let stopping;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Stops children, drops the database, removes temporary folders; idempotent. */
export function shutdown() {
  stopping ??= (async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))), sleep(5000)]);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await Promise.race([cleanup().catch((e) => console.error(`cleanup: ${e.message}`)), sleep(10_000)]);
  })();
  return stopping;
}

process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));
// A failure anywhere still stops the children and drops the database, and says what the server logged.
for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.once(event, (error) => {
    console.error(`load run failed: ${error?.stack ?? error}`);
    printServerLog();
    void shutdown().finally(() => process.exit(1));
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void shutdown().finally(() => process.exit(130));
  });
}

/** Ends the process whatever happens once `ms` has passed. */
export function deadline(ms) {
  setTimeout(() => {
    console.error(`load run exceeded its time limit (${Math.round(ms / 1000)} s): stopping`);
    void shutdown().finally(() => process.exit(1));
  }, ms).unref();
}

/** Atrium's log lines (JSON, warn and above) by message: a count and the first line of each. */
const serverLog = new Map();
let partialLine = '';

function collectLog(data) {
  const lines = (partialLine + data).split('\n');
  partialLine = lines.pop() ?? '';
  for (const line of lines) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const key = `${entry.level >= 50 ? 'error' : 'warn'}: ${entry.msg}`;
    const seen = serverLog.get(key);
    if (seen) seen.count++;
    else serverLog.set(key, { count: 1, first: line.slice(0, 600) });
  }
}

/** What Atrium logged during the run: a line per message with its count and first occurrence. */
export function printServerLog() {
  if (!serverLog.size) return console.log('\nAtrium logged no warnings or errors.');
  console.log('\nAtrium logged (warn and above):');
  for (const [key, { count, first }] of serverLog) console.log(`  ×${count}  ${key}\n      first: ${first}`);
}

function start(label, args, env, ready, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn('node', args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    const timer = ready && setTimeout(() => reject(new Error(`${label} not ready after ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      output = (output + d).slice(-20_000);
      if (label === 'atrium') collectLog(d);
      const match = ready?.(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    });
    // Warnings and errors of the server stay visible: they explain failed requests.
    child.stderr.on('data', (d) => {
      output = (output + d).slice(-20_000);
      if (!stopping) process.stderr.write(`[${label}] ${d}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!stopping) {
        console.error(`${label} exited (${code ?? signal}):\n${output.slice(-2000)}`);
        void shutdown().finally(() => process.exit(1));
      }
    });
    if (!ready) resolve({ child });
  });
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });

function loopbackOnly(url) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`load runs target loopback only; database host is ${host}`);
}

async function database() {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-load-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    return { env: { DATA_DIR: dir }, engine: 'embedded (PGlite)' };
  }
  loopbackOnly(base);
  const name = `atrium_load_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: base, connectionTimeoutMillis: 10_000 });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { env: { DATABASE_URL: url.toString() }, engine: 'native Postgres', base, name };
}

/**
 * Starts the model server and Atrium; resolves with the API base URL, the
 * admin credentials and the database engine once Atrium answers /api/ready.
 */
export async function startStack({ firstTokenMs, tokens, tokenMs, profileDir }) {
  const model = await start('model server', ['bench/support/streamingModelServer.mjs', '--first-token-ms', String(firstTokenMs), '--tokens', String(tokens), '--token-ms', String(tokenMs)], {}, (o) => o.match(/listening (\d+)/), 10_000);
  const modelUrl = `http://127.0.0.1:${model.match[1]}/v1`;
  const db = await database();
  const port = await freePort();
  const admin = { email: 'load-admin@example.com', password: randomBytes(12).toString('base64url') };
  const uploads = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-load-uploads-'));
  cleanups.push(async () => fs.rmSync(uploads, { recursive: true, force: true }));
  const server = await start(
    'atrium',
    [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'server/dist/main.js', 'api'],
    {
      ...db.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      JWT_SECRET: randomBytes(32).toString('base64'),
      MASTER_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      OPENAI_BASE_URL: modelUrl,
      OPENAI_API_KEY: 'sk-load',
      DEFAULT_MODEL: 'bench-model',
      CHAT_TITLES: 'false',
      LOGIN_RATE_PER_MINUTE: '10000',
      // Runs may be long; a token expiring mid-run would count as errors that real clients avoid by refreshing.
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      UPLOADS_DIR: uploads,
      COOKIE_SECURE: 'false',
      // Hashing is not what is measured; creating a hundred users at cost 12 would take minutes.
      BCRYPT_COST: '4',
    },
  );
  const api = `http://127.0.0.1:${port}`;
  // LOG_LEVEL=warn keeps request logging out of the measurement, so readiness is polled.
  for (let ready = false, until = Date.now() + 120_000; !ready; ) {
    if (Date.now() > until) throw new Error('Atrium did not become ready within 120 s');
    ready = await fetch(`${api}/api/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (!ready) await sleep(200);
  }
  return { api, modelUrl, admin, engine: db.engine, database: db.name && { base: db.base, name: db.name }, pids: { atrium: server.child.pid, 'model server': model.child.pid } };
}

/** A JSON call to the stack's API that throws on a non-2xx answer (body is sent as JSON when given). */
export function apiCaller(api) {
  return async (method, p, body, token) => {
    const res = await fetch(api + p, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body && JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
}
