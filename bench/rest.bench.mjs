#!/usr/bin/env node
// REST list and read endpoints against /api/health, side by side in one run.
//   npm run bench:rest -- [--rates 300,600] [--seconds 4] [--capacity-seconds 3] [--connections 10] [--users 10] [--profile DIR]
//   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:rest
// The built Atrium server is a child process (load/node/stack.mjs), on a
// fresh native Postgres database when BENCH_DATABASE_URL/TEST_DATABASE_URL is
// set, else the embedded one. Users each own a few conversations with
// answered questions, so the lists and threads are not empty. Per endpoint:
//   capacity  closed loop with --connections requests always in flight: what
//             one process serves per second, and the server CPU each request
//             costs (Atrium's process, and this database's Postgres backends);
//   at rate   a fixed arrival rate, sent evenly (an open model: one request
//             every 1/rate s whether or not earlier ones have answered, latency
//             from each request's scheduled time), p50/p95/p99.
// The SPEC's target: p95 ≤ 25 ms at 300 req/s; issue 17's: every list/read
// endpoint ≥ 600 req/s in one process (half of what /api/health serves).
import { parseArgs } from 'node:util';
import pg from 'pg';
import { call } from '../load/node/client.mjs';
import { cpuMeter } from '../load/node/cpu.mjs';
import { answerOnce, uploadKnowledge } from '../load/node/seed.mjs';
import { deadline, printServerLog, shutdown, sleep, startStack } from '../load/node/stack.mjs';
import { summarise } from '../load/node/stats.mjs';
import { waitForQuietJobs } from './support/quietJobs.mjs';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '300,600' },
    seconds: { type: 'string', default: '4' },
    'capacity-seconds': { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    users: { type: 'string', default: '10' },
    'conversations-per-user': { type: 'string', default: '5' },
    // Writes a V8 CPU profile of the Atrium process into this folder.
    profile: { type: 'string' },
    only: { type: 'string' },
  },
});
const rates = values.rates.split(',').filter(Boolean).map(Number);
const seconds = Number(values.seconds);
const capacitySeconds = Number(values['capacity-seconds']);
const connections = Number(values.connections);
deadline(170_000);

const stack = await startStack({ firstTokenMs: 5, tokens: 10, tokenMs: 1, profileDir: values.profile });
const { api } = stack;
// On a busy shared machine a seeding transaction can time out; that is the machine, not what is measured.
const retry = async (what, run) => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt === 3) throw error;
      console.error(`${what} failed (${error.message.slice(0, 80)}); again`);
      await sleep(1000);
    }
  }
};
// The group is given when the assistant is created, before its file is indexed: no change races the indexing.
const seed = await retry('seeding the assistant', async () => {
  const { accessToken: token } = await call(api, 'POST', '/api/v1/auth/login', { body: stack.admin });
  const group = await call(api, 'POST', '/api/v1/groups', { token, body: { name: `Rest users ${Math.random().toString(36).slice(2, 8)}` } });
  const assistant = await call(api, 'POST', '/api/v1/assistants', { token, body: { name: 'Rest bench', instructions: 'Answer briefly.', groupIds: [group.id] } });
  await uploadKnowledge(api, token, assistant.id, { timeoutMs: 60_000 });
  return { token, assistantId: assistant.id, groupId: group.id };
});
await waitForQuietJobs(stack.database);
// One at a time: the machine may be shared, and a burst of sign-ups is not what is measured.
const users = [];
for (let i = 0; i < Number(values.users); i++) {
  users.push(
    await retry(`creating user ${i}`, async () => {
      const email = `rest-${i}-${Math.random().toString(36).slice(2, 8)}@example.com`;
      const created = await call(api, 'POST', '/api/v1/users', { token: seed.token, body: { email, name: `Rest ${i}`, role: 'user' } });
      await call(api, 'PUT', `/api/v1/groups/${seed.groupId}/members/${created.id}`, { token: seed.token, body: { role: 'member' } });
      const temporary = await call(api, 'POST', '/api/v1/auth/login', { body: { email, password: created.temporaryPassword } });
      const session = await call(api, 'POST', '/api/v1/me/password', { token: temporary.accessToken, body: { currentPassword: created.temporaryPassword, newPassword: `rest bench password ${i} long enough` } });
      const conversation = await call(api, 'POST', '/api/v1/conversations', { token: session.accessToken, body: { assistantId: seed.assistantId } });
      return { token: session.accessToken, conversationId: conversation.id };
    }),
  );
}
// A few conversations per user, each with an answered question or two: lists and threads of a realistic small size.
for (let c = 1; c < Number(values['conversations-per-user']); c++) {
  const more = await Promise.all(users.map(async (u) => ({ ...u, conversationId: (await call(api, 'POST', '/api/v1/conversations', { token: u.token, body: { assistantId: seed.assistantId } })).id })));
  await retry('answering', () => answerOnce(api, more));
}
await retry('answering', () => answerOnce(api, users));
await retry('answering', () => answerOnce(api, users));

const ENDPOINTS = [
  ['/api/health', () => '/api/health'],
  ['/api/v1/me', () => '/api/v1/me'],
  ['/api/v1/assistants', () => '/api/v1/assistants'],
  ['/api/v1/assistants/:id', () => `/api/v1/assistants/${seed.assistantId}`],
  ['/api/v1/conversations', () => '/api/v1/conversations'],
  ['/api/v1/conversations/:id', (u) => `/api/v1/conversations/${u.conversationId}`],
  ['/api/v1/me/usage', () => '/api/v1/me/usage'],
].filter(([name]) => !values.only || values.only.split(',').some((o) => name === o || name === '/api/health'));

const get = (path, i) => {
  const user = users[i % users.length];
  return call(api, 'GET', path(user), { token: user.token });
};

/** Statements Postgres committed for this run's database so far (each autocommit query is one); stats are flushed about once a second. */
async function statements() {
  if (!stack.database) return NaN;
  const client = new pg.Client({ connectionString: stack.database.base });
  await client.connect();
  try {
    await sleep(1100);
    const { rows } = await client.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [stack.database.name]);
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

/** `connections` requests always in flight for `ms`: served per second, latencies, and server CPU per request. */
async function closedLoop(path, ms, { countQueries = true } = {}) {
  const latencies = [];
  let errors = 0;
  let n = 0;
  const statements0 = countQueries ? await statements() : NaN;
  const meter = await cpuMeter({ atrium: stack.pids.atrium }, stack.database);
  const t0 = performance.now();
  const end = t0 + ms;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          await get(path, n++);
          latencies.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const { used } = await meter();
  const served = latencies.length;
  const queries = countQueries ? ((await statements()) - statements0) / Math.max(1, served + errors) : NaN;
  return {
    queries,
    rps: served / wall,
    errors,
    latency: summarise(latencies),
    cpuMs: (used.atrium / Math.max(1, served + errors)) * 1000,
    pgMs: ((used['Postgres (this database)'] ?? NaN) / Math.max(1, served + errors)) * 1000,
  };
}

/** `rate` requests a second, evenly spaced, for `ms`; latency from each request's scheduled time. */
async function fixedRate(path, rate, ms) {
  const latencies = [];
  let errors = 0;
  const pending = [];
  const total = Math.round((ms / 1000) * rate);
  const t0 = performance.now();
  let sent = 0;
  let behind = false;
  while (sent < total && !behind) {
    // More than half a second of requests unanswered: the server cannot keep this rate; say so rather than queue for minutes.
    behind = sent - latencies.length - errors > rate / 2;
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const scheduled = t0 + (sent / rate) * 1000;
      pending.push(get(path, sent).then(() => latencies.push(performance.now() - scheduled), () => errors++));
    }
    // The next request's due time; a timer wakes up at 1 ms granularity at best.
    await sleep(Math.max(0, t0 + (sent / rate) * 1000 - performance.now()));
  }
  await Promise.race([Promise.all(pending), sleep(3000)]);
  return { latency: summarise(latencies), errors, achieved: latencies.length / ((performance.now() - t0) / 1000), gaveUp: behind && sent < total };
}

console.log(`engine ${stack.engine}; ${users.length} users, ${values['conversations-per-user']} conversations each; generator on the same machine (loopback)`);
// Warm up every path (JIT, pools, caches) before anything is recorded.
for (const [, path] of ENDPOINTS) await closedLoop(path, 700, { countQueries: false });

const f = (x, w = 7) => (Number.isFinite(x) ? x.toFixed(1) : '-').padStart(w);
const capacity = new Map();
console.log(`\ncapacity: closed loop, ${connections} requests in flight, ${capacitySeconds} s each; server CPU per request (Atrium process / this database's Postgres)`);
console.log(`${'endpoint'.padEnd(28)} |   req/s | p50 ms  p95 ms | Atrium CPU ms/req | Postgres CPU ms/req | queries/req | errors`);
for (const [name, path] of ENDPOINTS) {
  const r = await closedLoop(path, capacitySeconds * 1000);
  capacity.set(name, r);
  console.log(`${name.padEnd(28)} | ${f(r.rps)} | ${f(r.latency.p50, 6)} ${f(r.latency.p95)} | ${f(r.cpuMs, 17)} | ${f(r.pgMs, 19)} | ${f(r.queries, 11)} | ${r.errors}`);
}

const atRate = new Map();
for (const rate of rates) {
  console.log(`\nfixed rate ${rate} req/s, evenly spaced, ${seconds} s each (latency from the scheduled send time)`);
  console.log(`${'endpoint'.padEnd(28)} | served/s | p50 ms  p95 ms  p99 ms   max ms | errors`);
  for (const [name, path] of ENDPOINTS) {
    const r = await fixedRate(path, rate, seconds * 1000);
    atRate.set(`${rate} ${name}`, r);
    console.log(`${name.padEnd(28)} | ${f(r.achieved, 8)} | ${f(r.latency.p50, 6)} ${f(r.latency.p95)} ${f(r.latency.p99)} ${f(r.latency.max, 8)} | ${r.errors}${r.gaveUp ? ' (stopped early: over 0.5 s behind, this rate is beyond the server)' : ''}`);
  }
}

await shutdown();
printServerLog();
const health = capacity.get('/api/health');
console.log('\nsummary (targets: ≥ 600 req/s in one process, p95 ≤ 25 ms at 300 req/s)');
for (const [name] of ENDPOINTS.slice(1)) {
  const c = capacity.get(name);
  const at300 = atRate.get(`300 ${name}`);
  console.log(
    `${name.padEnd(28)} ${f(c.rps)} req/s (${((c.rps / health.rps) * 100).toFixed(0)}% of /api/health's ${health.rps.toFixed(0)}), ${f(c.cpuMs, 4)} ms Atrium CPU per read` +
      (at300 ? `, p95 at 300 req/s ${at300.latency.p95.toFixed(1)} ms` : ''),
  );
}
process.exit(0);
