#!/usr/bin/env node
// What Atrium adds to a streamed answer, what each answer costs in CPU, how
// many answers a second it takes before first tokens slow down, and how many
// sockets it holds; one process against the scaled-out mode, side by side.
//   npm run bench:chat -- [--modes single,scaled] [--streams 1] [--seconds 3] [--phases 2]
//                         [--rates 10,20,40,60,80,120,160,200] [--rate-seconds 3] [--connections 1000] [--api] [--profile DIR]
//                         [--warm-up 4]
//   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:chat
// Each mode runs in a child process of its own (this script with --mode):
// a streaming test model server and the built Atrium server
// (`node server/dist/main.js api`) as child processes, on a fresh native
// Postgres database when BENCH_DATABASE_URL/TEST_DATABASE_URL is set, else
// the embedded one (single mode only). "scaled" adds REDIS_URL (the machine's
// Redis, 127.0.0.1:6379, under a key prefix of its own, deleted afterwards)
// and WEB_CONCURRENCY=2: two API processes behind node:cluster, answers
// shared through Redis.
// In each mode:
//   - at each --streams concurrency, phases of direct streams (the openai SDK
//     against the model server) alternate with phases through Atrium
//     (socket.io chat:send, retrieval over a small knowledge file included):
//     time to first token and total time for both, and the difference; with
//     --api also through /api/openai/v1/chat/completions;
//   - the CPU time Atrium's processes (and this database's Postgres backends)
//     spend per answer, measured over the socket.io phases;
//   - answers at fixed rates (sent evenly, each on a conversation not already
//     answering), rising until the added first-token p95 passes 100 ms: the
//     saturated answer rate is the highest rate that stayed under it;
//   - (single mode) --connections authenticated sockets held while a chat works.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import pg from 'pg';
import { io as connect } from 'socket.io-client';
import { cpuMeter } from '../load/node/cpu.mjs';
import { apiCaller, deadline, printServerLog, shutdown, startStack } from '../load/node/stack.mjs';
import { percentile } from './support/benchDatabase.mjs';
import { waitForQuietJobs } from './support/quietJobs.mjs';

const { values } = parseArgs({
  options: {
    modes: { type: 'string', default: 'single,scaled' },
    // Internal: run one mode and write its figures as JSON to --out.
    mode: { type: 'string' },
    out: { type: 'string' },
    streams: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '3' },
    phases: { type: 'string', default: '2' },
    rates: { type: 'string', default: '10,20,40,60,80,120,160,200' },
    'rate-seconds': { type: 'string', default: '3' },
    users: { type: 'string', default: '40' },
    connections: { type: 'string', default: '1000' },
    // Writes a V8 CPU profile of the Atrium process into this folder.
    profile: { type: 'string' },
    // Also measure streaming through /api/openai/v1/chat/completions.
    api: { type: 'boolean', default: false },
    // Seconds of answers before anything is measured. V8 goes on optimising for a minute or more
    // (a --trace-opt count fell from 500 to 10 functions per 10 s over 80 s): a long warm-up gives
    // the CPU per answer of a server that has been running, a short one includes compile time.
    'warm-up': { type: 'string', default: '4' },
    'first-token-ms': { type: 'string', default: '20' },
    tokens: { type: 'string', default: '30' },
    'token-ms': { type: 'string', default: '5' },
  },
});

const ADDED_P95_LIMIT_MS = 100;
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-').padStart(7);

if (!values.mode) await compareModes();
else await runMode(values.mode);

/** Runs each mode in a child process, one after the other, and prints their figures side by side. */
async function compareModes() {
  const modes = values.modes.split(',');
  const results = [];
  const passOn = process.argv.slice(2).filter((a, i, all) => a !== '--modes' && all[i - 1] !== '--modes' && !a.startsWith('--modes='));
  for (const mode of modes) {
    const out = `${os.tmpdir()}/atrium-chat-bench-${process.pid}-${mode}.json`;
    console.log(`\n═══ ${mode === 'scaled' ? 'scaled out: REDIS_URL, WEB_CONCURRENCY=2' : 'one process'} ═══`);
    const code = await new Promise((resolve) => {
      const child = spawn(process.execPath, [new URL(import.meta.url).pathname, ...passOn, '--mode', mode, '--out', out], { stdio: 'inherit' });
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0 || !fs.existsSync(out)) {
      console.error(`mode ${mode} failed (exit ${code})`);
      continue;
    }
    results.push(JSON.parse(fs.readFileSync(out, 'utf8')));
    fs.rmSync(out, { force: true });
  }
  if (!results.length) process.exit(1);
  const col = (s) => String(s).padEnd(34);
  const rows = [
    ['', ...results.map((r) => r.label)],
    ...results[0].levels.map((level, i) => [`added first token p50 / p95, ${level.level} stream${level.level > 1 ? 's' : ''}`, ...results.map((r) => `${r.levels[i].added.p50.toFixed(1)} / ${r.levels[i].added.p95.toFixed(1)} ms`)]),
    ['CPU per answer: Atrium / Postgres', ...results.map((r) => `${r.cpu.atriumMs.toFixed(1)} / ${r.cpu.postgresMs.toFixed(1)} ms`)],
    ['statements per answer', ...results.map((r) => (Number.isFinite(r.cpu.statements) ? r.cpu.statements.toFixed(1) : '-'))],
    ['saturated rate (added p95 < 100 ms)', ...results.map((r) => `${r.saturatedRate} answers/s`)],
  ];
  console.log(`\n═══ side by side (${results[0].engine}; model: first token ${values['first-token-ms']} ms, ${values.tokens} tokens ${values['token-ms']} ms apart; ${os.cpus().length} cores) ═══`);
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? String(c).padEnd(42) : col(c))).join(''));
  process.exit(0);
}

async function runMode(mode) {
  deadline(170_000);
  let prefix;
  if (mode === 'scaled') {
    prefix = `atrium-bench-${process.pid}-${Date.now().toString(36)}`;
    Object.assign(process.env, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: prefix, WEB_CONCURRENCY: '2' });
  }
  const levels = values.streams.split(',').filter(Boolean).map(Number);
  const rates = values.rates.split(',').filter(Boolean).map(Number);

  // ── set up: the model server and Atrium as child processes (load/node/stack.mjs) ──
  const stack = await startStack({ firstTokenMs: values['first-token-ms'], tokens: values.tokens, tokenMs: values['token-ms'], profileDir: values.profile });
  if (mode === 'scaled' && !stack.database) throw new Error('the scaled-out mode needs native Postgres (BENCH_DATABASE_URL)');
  const { api, modelUrl } = stack;
  const call = apiCaller(api);
  const { accessToken: token } = await call('POST', '/api/v1/auth/login', stack.admin);
  // The group is given when the assistant is created, before its file is indexed.
  const group = await call('POST', '/api/v1/groups', { name: 'Bench users' }, token);
  const assistant = await call('POST', '/api/v1/assistants', { name: 'Bench', instructions: 'Answer briefly.', groupIds: [group.id] }, token);
  const form = new FormData();
  form.append('files', new Blob([fs.readFileSync(new URL('../tests/fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url))]), 'norwich.txt');
  const upload = await fetch(`${api}/api/v1/assistants/${assistant.id}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const fileId = (await upload.json()).files[0].id;
  for (let status = ''; status !== 'ready'; ) {
    await new Promise((r) => setTimeout(r, 200));
    status = (await call('GET', `/api/v1/assistants/${assistant.id}/files/${fileId}`, undefined, token)).status;
    if (status === 'failed') throw new Error('knowledge file failed');
  }
  const quietMs = await waitForQuietJobs(stack.database);
  if (quietMs > 1000) console.log(`(waited ${(quietMs / 1000).toFixed(1)} s for the upload's background jobs to finish)`);
  const label = mode === 'scaled' ? 'scaled out (2 API processes + Redis)' : 'one process';
  console.log(`${label}; engine ${stack.engine}; model server: first token ${values['first-token-ms']} ms, ${values.tokens} tokens ${values['token-ms']} ms apart; ${os.cpus().length} cores`);

  // One user per stream, as in real use: a user's answer events go to that user's sockets only.
  const userCount = Math.max(...levels, Number(values.users));
  const users = [];
  const apiClients = [];
  for (let i = 0; i < userCount; i++) {
    const created = await call('POST', '/api/v1/users', { email: `bench-${i}@example.com`, name: `Bench ${i}`, role: 'user' }, token);
    await call('PUT', `/api/v1/groups/${group.id}/members/${created.id}`, { role: 'member' }, token);
    const temporary = await call('POST', '/api/v1/auth/login', { email: created.email, password: created.temporaryPassword });
    const session = await call('POST', '/api/v1/me/password', { currentPassword: created.temporaryPassword, newPassword: `bench password ${i} long enough` }, temporary.accessToken);
    users.push(session.accessToken);
    if (values.api && i < Math.max(...levels)) {
      const pat = await call('POST', '/api/v1/me/tokens', { name: 'bench', scopes: ['chat'] }, session.accessToken);
      apiClients.push(new OpenAI({ apiKey: pat.token, baseURL: `${api}/api/openai/v1`, maxRetries: 0 }));
    }
  }
  // Two conversations per user: a fixed-rate phase sends each answer on one not already answering.
  const slots = [];
  for (const [i, userToken] of users.entries()) {
    for (let k = 0; k < 2; k++) slots.push({ user: i, conversationId: (await call('POST', '/api/v1/conversations', { assistantId: assistant.id }, userToken)).id, busy: false });
  }
  const conversations = slots.filter((_, j) => j % 2 === 0).map((slot) => slot.conversationId);
  const sockets = await Promise.all(users.map((userToken) => openSocket(api, userToken)));
  // Every Atrium process: with WEB_CONCURRENCY the started one only supervises the API processes it forked.
  const atriumPids = { atrium: stack.pids.atrium };
  for (const pid of childPids(stack.pids.atrium)) atriumPids[`atrium ${pid}`] = pid;

  if (mode === 'scaled') console.log(`Atrium processes measured: ${Object.values(atriumPids).join(', ')} (the supervisor and the API processes it forked)`);
  const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: modelUrl, maxRetries: 0 });
  const question = 'Which football club plays at Carrow Road and what is its nickname?';

  async function direct() {
    const t0 = performance.now();
    let first = 0;
    const stream = await openai.chat.completions.create({ model: 'bench-model', messages: [{ role: 'user', content: question }], stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) if (!first && chunk.choices[0]?.delta?.content) first = performance.now();
    return { ttft: first - t0, total: performance.now() - t0 };
  }

  /** One streamed answer from the assistant through the OpenAI-compatible API; a new API conversation each time. */
  async function throughApi(client) {
    const t0 = performance.now();
    let first = 0;
    const stream = await client.chat.completions.create({ model: assistant.id, messages: [{ role: 'user', content: question }], stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) if (!first && chunk.choices[0]?.delta?.content) first = performance.now();
    return { ttft: first - t0, total: performance.now() - t0 };
  }

  /** chat:send on a socket to the first chunk and to done; times count from `t0` (a fixed-rate phase passes the scheduled time). */
  function throughAtrium(socket, conversationId, t0 = performance.now()) {
    return new Promise((resolve, reject) => {
      let first = 0;
      const onChunk = (e) => {
        if (!first && e.conversationId === conversationId) first = performance.now();
      };
      const finish = () => socket.off('chat:chunk', onChunk).off('chat:done', onDone).off('chat:error', onError);
      const onDone = (e) => {
        if (e.conversationId !== conversationId) return;
        finish();
        resolve({ ttft: first - t0, total: performance.now() - t0 });
      };
      const onError = (e) => {
        if (e.conversationId !== conversationId) return;
        finish();
        reject(new Error(e.error?.message ?? 'chat error'));
      };
      socket.on('chat:chunk', onChunk).on('chat:done', onDone).on('chat:error', onError);
      socket.emit('chat:send', { conversationId, content: question }, (ack) => {
        if (!ack.ok) {
          finish();
          reject(new Error(ack.error.message));
        }
      });
    });
  }

  // Warm both paths (JIT, connection pools, caches; with several processes, each of them).
  for (let i = 0; i < 20; i++) {
    await direct();
    await throughAtrium(sockets[i % sockets.length], conversations[i % conversations.length]);
    if (values.api) await throughApi(apiClients[0]);
  }

  // How long one answer takes, so workers can spread their starts over it.
  const streamMs = (await direct()).total;

  /**
   * `level` streams kept in flight for `durationMs`: each worker starts its
   * next stream when its last one ends, after a random first offset within one
   * stream's length, so arrivals spread out as with real users instead of all
   * landing in one burst (which measures a burst, not concurrency).
   */
  async function closedLoop(level, durationMs, run) {
    const samples = { ttft: [], total: [] };
    let errors = 0;
    const end = performance.now() + durationMs;
    await Promise.all(
      Array.from({ length: level }, async (_, i) => {
        await new Promise((r) => setTimeout(r, Math.random() * streamMs));
        while (performance.now() < end) {
          try {
            const { ttft, total } = await run(i);
            samples.ttft.push(ttft);
            samples.total.push(total);
          } catch {
            errors++;
          }
        }
      }),
    );
    return { samples, errors };
  }

  const paths = values.api ? ['direct', 'atrium', 'api'] : ['direct', 'atrium'];
  const runners = { direct: () => direct(), atrium: (i) => throughAtrium(sockets[i], conversations[i]), api: (i) => throughApi(apiClients[i]) };
  // Twenty answers leave V8 compiling the hot paths while the first phases are measured (the first
  // phase's CPU per answer came out twice the later ones'): keep both paths busy for --warm-up seconds.
  // The warm-up asks in conversations of its own, a new one every ten answers, so that neither the
  // measured conversations' threads nor its own grow with its length.
  const warmUpMs = Number(values['warm-up']) * 1000;
  const warming = [];
  const warmUp = async (i) => {
    const worker = (warming[i] ??= { answers: 0, conversationId: null });
    if (worker.answers++ % 10 === 0) worker.conversationId = (await call('POST', '/api/v1/conversations', { assistantId: assistant.id }, users[i])).id;
    return throughAtrium(sockets[i], worker.conversationId);
  };
  await Promise.all([closedLoop(Math.min(8, sockets.length), warmUpMs, warmUp), closedLoop(Math.min(8, sockets.length), warmUpMs, runners.direct)]);
  console.log(`\nclosed loop, ${values.seconds} s per phase, phases alternate ${paths.join('/')} ${values.phases} times per level; "via" is how answers reach the client`);
  console.log('streams | via       | direct TTFT p50/p95 | Atrium TTFT p50/p95 | added TTFT p50/p95 | direct total p50/p95 | Atrium total p50/p95 | added total p50/p95 | Atrium answers | errors');
  const results = [];
  const cpu = { atrium: 0, postgres: 0, answers: 0 };
  for (const level of levels) {
    const samples = Object.fromEntries(paths.map((path) => [path, { ttft: [], total: [], errors: 0 }]));
    for (let phase = 0; phase < Number(values.phases); phase++) {
      // Rotate which path goes first, so drift in the machine hits all alike.
      const order = paths.map((_, k) => paths[(k + phase) % paths.length]);
      for (const path of order) {
        const meter = path === 'atrium' ? await cpuMeter(atriumPids, stack.database) : undefined;
        const statements0 = path === 'atrium' ? await statements(stack.database) : 0;
        const outcome = await closedLoop(level, Number(values.seconds) * 1000, runners[path]);
        if (meter) addCpu(cpu, (await meter()).used, outcome.samples.ttft.length + outcome.errors);
        if (meter) cpu.statements = (cpu.statements ?? 0) + (await statements(stack.database)) - statements0;
        samples[path].ttft.push(...outcome.samples.ttft);
        samples[path].total.push(...outcome.samples.total);
        samples[path].errors += outcome.errors;
      }
    }
    const [dt, dT] = [summary(samples.direct.ttft), summary(samples.direct.total)];
    for (const via of paths.slice(1)) {
      const [at, aT] = [summary(samples[via].ttft), summary(samples[via].total)];
      const errors = samples[via].errors;
      results.push({ level, via, dt, at, dT, aT, errors });
      console.log(
        `${String(level).padStart(7)} | ${(via === 'atrium' ? 'socket.io' : 'api').padEnd(9)} | ${ms(dt.p50)} ${ms(dt.p95)}    | ${ms(at.p50)} ${ms(at.p95)}     | ${ms(at.p50 - dt.p50)} ${ms(at.p95 - dt.p95)}    | ${ms(dT.p50)} ${ms(dT.p95)}      | ${ms(aT.p50)} ${ms(aT.p95)}      | ${ms(aT.p50 - dT.p50)} ${ms(aT.p95 - dT.p95)}     | ${String(at.n).padStart(14)} | ${errors}`,
      );
    }
  }
  const perAnswer = (s) => (s / Math.max(1, cpu.answers)) * 1000;
  const statementsPerAnswer = cpu.statements / Math.max(1, cpu.answers);
  console.log(`\nCPU per answer over the socket.io phases (${cpu.answers} answers): Atrium's processes ${perAnswer(cpu.atrium).toFixed(1)} ms, Postgres (this database) ${perAnswer(cpu.postgres).toFixed(1)} ms; ${statementsPerAnswer.toFixed(1)} statements committed per answer (background work included)`);

  // ── fixed answer rates ──
  // The model's own first token at one stream is the reference: what is above it is Atrium's (or the machine's) doing.
  const reference = results.find((r) => r.via === 'atrium') ?? results[0];
  const directP95 = reference.dt.p95;
  const directP50 = reference.dt.p50;
  console.log(`\nfixed answer rates, sent evenly for ${values['rate-seconds']} s each on conversations not already answering; first token timed from the scheduled send; added = over the model's own (p50 ${directP50.toFixed(1)} / p95 ${directP95.toFixed(1)} ms at one stream)`);
  console.log('answers/s | answered/s | TTFT p50/p95     | added p50/p95    | Atrium CPU/answer | Postgres CPU/answer | errors');
  const rateResults = [];
  let saturatedRate = 0;
  let over = 0;
  for (const rate of rates) {
    const r = await fixedRate(rate, Number(values['rate-seconds']) * 1000);
    const added = { p50: r.ttft.p50 - directP50, p95: r.ttft.p95 - directP95 };
    const ok = r.errors === 0 && r.skipped === 0 && added.p95 < ADDED_P95_LIMIT_MS;
    if (ok && over === 0) saturatedRate = rate;
    rateResults.push({ rate, ...r, added });
    console.log(
      `${String(rate).padStart(9)} | ${r.answered.toFixed(1).padStart(10)} | ${ms(r.ttft.p50)} ${ms(r.ttft.p95)}  | ${ms(added.p50)} ${ms(added.p95)}  | ${ms(r.atriumMs).padStart(14)} ms | ${ms(r.postgresMs).padStart(16)} ms | ${r.errors}${r.skipped ? ` (+${r.skipped} not sent: every conversation busy)` : ''}`,
    );
    if (!ok && ++over >= 2) break;
  }
  console.log(`saturated answer rate (added first-token p95 < ${ADDED_P95_LIMIT_MS} ms): ${saturatedRate} answers/s`);

  /** `rate` answers a second for `durationMs`, each on a free conversation; latency from the scheduled time. */
  async function fixedRate(rate, durationMs) {
    const ttft = [];
    let errors = 0;
    let skipped = 0;
    const pending = [];
    const total = Math.round((durationMs / 1000) * rate);
    const meter = await cpuMeter(atriumPids, stack.database);
    const t0 = performance.now();
    let sent = 0;
    let next = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      for (; sent < due; sent++) {
        const scheduled = t0 + (sent / rate) * 1000;
        let slot;
        for (let k = 0; k < slots.length && !slot; k++) {
          const candidate = slots[(next + k) % slots.length];
          if (!candidate.busy) slot = candidate;
        }
        next = (next + 1) % slots.length;
        if (!slot) {
          skipped++;
          continue;
        }
        slot.busy = true;
        pending.push(
          throughAtrium(sockets[slot.user], slot.conversationId, scheduled)
            .then((x) => ttft.push(x.ttft), () => errors++)
            .finally(() => (slot.busy = false)),
        );
      }
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + (sent / rate) * 1000 - performance.now())));
    }
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 10_000))]);
    const wall = (performance.now() - t0) / 1000;
    const used = {};
    addCpu(used, (await meter()).used, 1);
    const answered = ttft.length;
    return {
      answered: answered / wall,
      ttft: summary(ttft),
      errors,
      skipped,
      atriumMs: (used.atrium / Math.max(1, answered + errors)) * 1000,
      postgresMs: (used.postgres / Math.max(1, answered + errors)) * 1000,
    };
  }

  sockets.forEach((s) => s.close());

  // ── connections (one mode is enough: the adapter does not change what a socket costs its process) ──
  const connectionCount = mode === 'single' ? Number(values.connections) : 0;
  if (connectionCount > 0) {
    const held = [];
    let connectErrors = 0;
    let dropped = 0;
    const t0 = performance.now();
    for (let i = 0; i < connectionCount; i += 100) {
      const batch = await Promise.allSettled(Array.from({ length: Math.min(100, connectionCount - i) }, (_, j) => openSocket(api, users[(i + j) % users.length])));
      for (const outcome of batch) {
        if (outcome.status === 'fulfilled') {
          held.push(outcome.value);
          outcome.value.on('disconnect', () => dropped++);
        } else connectErrors++;
      }
    }
    const connectMs = performance.now() - t0;
    // With every socket open: the server still answers and streams.
    const healthStart = performance.now();
    await call('GET', '/api/health');
    const healthMs = performance.now() - healthStart;
    const chatWhileHeld = await throughAtrium(held[0], conversations[0]);
    await new Promise((r) => setTimeout(r, 3000));
    console.log(
      `\nsockets: ${held.length}/${connectionCount} connected in ${(connectMs / 1000).toFixed(1)} s, ${connectErrors} errors, ${dropped} dropped over 3 s; ` +
        `with all open: /api/health ${healthMs.toFixed(1)} ms, a chat TTFT ${chatWhileHeld.ttft.toFixed(1)} ms, total ${chatWhileHeld.total.toFixed(1)} ms`,
    );
    held.forEach((s) => s.close());
  }

  await shutdown();
  if (prefix) await dropRedisKeys(prefix);
  printServerLog();
  const one = results.filter((r) => r.via === 'atrium');
  if (values.out) {
    fs.writeFileSync(
      values.out,
      JSON.stringify({
        mode,
        label,
        engine: stack.engine,
        levels: one.map((r) => ({ level: r.level, added: { p50: r.at.p50 - r.dt.p50, p95: r.at.p95 - r.dt.p95 }, errors: r.errors })),
        cpu: { atriumMs: perAnswer(cpu.atrium), postgresMs: perAnswer(cpu.postgres), statements: statementsPerAnswer },
        rates: rateResults,
        saturatedRate,
      }),
    );
  }
  process.exit(0);
}

function summary(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), n: sorted.length };
}

/** Adds a phase's CPU seconds into `into`: Atrium's processes together, and Postgres. */
function addCpu(into, used, answers) {
  into.atrium = (into.atrium ?? 0) + Object.entries(used).filter(([name]) => name.startsWith('atrium')).reduce((a, [, s]) => a + (Number.isFinite(s) ? s : 0), 0);
  into.postgres = (into.postgres ?? 0) + (used['Postgres (this database)'] ?? 0);
  into.answers = (into.answers ?? 0) + answers;
}

/** Statements Postgres committed for the run's database so far (each autocommit query is one); stats are flushed about once a second. */
async function statements(database) {
  if (!database) return NaN;
  const client = new pg.Client({ connectionString: database.base });
  await client.connect();
  try {
    await new Promise((r) => setTimeout(r, 1100));
    const { rows } = await client.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [database.name]);
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

/** The processes `pid` started (Linux /proc; none elsewhere). */
function childPids(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function openSocket(api, accessToken) {
  return new Promise((resolve, reject) => {
    const socket = connect(api, { auth: { token: accessToken }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Removes every key the scaled-out run made under its prefix. */
async function dropRedisKeys(prefix) {
  const { Redis } = await import('ioredis');
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (error) {
    console.error(`could not remove the run's Redis keys (${prefix}:*): ${error.message}`);
  } finally {
    redis.disconnect();
  }
}
