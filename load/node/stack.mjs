// The system under load, all on 127.0.0.1: a streaming OpenAI-compatible test
// model server and the built Atrium API as child processes, on a fresh native
// Postgres database (BENCH_DATABASE_URL / TEST_DATABASE_URL) or the embedded
// one. Scaled out (`scaled` > 1): that many API processes (WEB_CONCURRENCY,
// node:cluster on one port) and a separate worker over Redis (BENCH_REDIS_URL,
// default the machine's 127.0.0.1:6379, keys under a prefix of the run's own).
// Everything started here is stopped by `shutdown`, which also runs on
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
      if (label === 'atrium' || label === 'worker') collectLog(d);
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

function loopbackOnly(url, what = 'database') {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`load runs target loopback only; ${what} host is ${host}`);
}

/** The children node:cluster forked from `pid` (Linux /proc; empty elsewhere). */
function childPids(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Redis for the scaled-out mode: a prefix of this run's own, its keys deleted at the end; the server's pid for the CPU figures. */
async function sharedRedis() {
  const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  loopbackOnly(url, 'Redis');
  const { Redis } = await import('ioredis');
  const prefix = `atrium-load-${randomBytes(4).toString('hex')}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  await client.connect().catch((error) => {
    throw new Error(`the scaled-out run needs Redis at ${url}: ${error.message}`);
  });
  const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]) || undefined;
  cleanups.push(async () => {
    const keys = await client.keys(`${prefix}:*`);
    if (keys.length) await client.del(...keys);
    client.disconnect();
  });
  return { env: { REDIS_URL: url, REDIS_PREFIX: prefix }, pid };
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
    // BENCH_KEEP_DB=1 leaves the database for inspection (EXPLAIN the statements a run logged); drop it by hand.
    if (!process.env.BENCH_KEEP_DB) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
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
export async function startStack({ firstTokenMs, tokens, tokenMs, profileDir, scaled = 1 }) {
  const model = await start('model server', ['bench/support/streamingModelServer.mjs', '--first-token-ms', String(firstTokenMs), '--tokens', String(tokens), '--token-ms', String(tokenMs)], {}, (o) => o.match(/listening (\d+)/), 10_000);
  const modelUrl = `http://127.0.0.1:${model.match[1]}/v1`;
  const db = await database();
  if (scaled > 1 && !db.name) throw new Error('--scaled needs a Postgres server (BENCH_DATABASE_URL or TEST_DATABASE_URL): the embedded database belongs to one process');
  const redis = scaled > 1 ? await sharedRedis() : undefined;
  const port = await freePort();
  // The letters, digit and symbol the password policy asks for, whatever the random part holds.
  const admin = { email: 'load-admin@example.com', password: `Load-${randomBytes(12).toString('base64url')}-7` };
  const uploads = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-load-uploads-'));
  cleanups.push(async () => fs.rmSync(uploads, { recursive: true, force: true }));
  const env = {
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
    // Scaled out as a deployment would be: the API processes serve, a separate worker ingests.
    ...(redis ? { ...redis.env, WEB_CONCURRENCY: String(scaled), WORKER_IN_API: 'false' } : {}),
  };
  const server = await start('atrium', [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'server/dist/main.js', 'api'], env);
  const api = `http://127.0.0.1:${port}`;
  // LOG_LEVEL=warn keeps request logging out of the measurement, so readiness is polled.
  for (let ready = false, until = Date.now() + 120_000; !ready; ) {
    if (Date.now() > until) throw new Error('Atrium did not become ready within 120 s');
    ready = await fetch(`${api}/api/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (!ready) await sleep(200);
  }
  const pids = { atrium: server.child.pid, 'model server': model.child.pid };
  if (redis) {
    // The primary forks the others once the first listens: wait for all of them, then count their CPU together.
    for (let until = Date.now() + 60_000; childPids(server.child.pid).length < scaled; await sleep(200)) {
      if (Date.now() > until) throw new Error(`${scaled} API processes did not all start within 60 s`);
    }
    const worker = await start('worker', ['server/dist/main.js', 'worker'], env);
    pids.atrium = [server.child.pid, ...childPids(server.child.pid)];
    pids.worker = worker.child.pid;
    if (redis.pid) pids.Redis = redis.pid;
  }
  const mode = redis ? `scaled out: ${scaled} API processes (WEB_CONCURRENCY=${scaled}) and a worker over Redis` : 'one process';
  return { api, modelUrl, admin, engine: db.engine, mode, apiProcesses: redis ? scaled : 1, database: db.name && { base: db.base, name: db.name }, pids };
}

/** A JSON call to the stack's API that throws on a non-2xx answer (body is sent as JSON when given). */
export function apiCaller(api) {
  return async (method, p, body, token) => {
    const res = await fetch(api + p, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body && JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
}
