#!/usr/bin/env node
// Node load run of issue 8, for machines without k6 (the same three users as
// load/k6): staff chatting over socket.io, stress users over server-sent
// events, read-only browsers; then a constant-rate REST phase. Everything on
// 127.0.0.1, bounded in time, and stopped by itself.
//   npm run load -- [--duration 60] [--chatters 50] [--stressors 10] [--browsers 30]
//                   [--rest-rate 300] [--rest-seconds 20] [--sockets 0] [--profile dir] [--smoke] [--scaled 2]
//   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run load
//   --scaled N: the scaled-out stack (N API processes over Redis and a separate worker), same scenarios.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openSocket } from './client.mjs';
import { chatOverRawSocketIo } from './k6Protocol.mjs';
import { cpuMeter } from './cpu.mjs';
import { constantRate } from './restPhase.mjs';
import { browsing, chatting, direct, stress, streams } from './scenarios.mjs';
import { answerOnce, createUsers, seedAssistant } from './seed.mjs';
import { deadline, printServerLog, shutdown, startStack } from './stack.mjs';
import { printReport, Recorder } from './stats.mjs';
import { compareWithTargets } from './targets.mjs';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    duration: { type: 'string' },
    chatters: { type: 'string' },
    stressors: { type: 'string' },
    browsers: { type: 'string' },
    // Loops streaming straight from the model server: the baseline for Atrium's added TTFT.
    direct: { type: 'string' },
    'rest-rate': { type: 'string' },
    'rest-seconds': { type: 'string' },
    // Extra idle authenticated sockets held during the mixed run (the SPEC's 1,000 connections).
    sockets: { type: 'string', default: '0' },
    'first-token-ms': { type: 'string' },
    tokens: { type: 'string' },
    'token-ms': { type: 'string' },
    // Writes a V8 CPU profile of the Atrium process into this folder.
    profile: { type: 'string' },
    // Scaled out: this many API processes (WEB_CONCURRENCY, over Redis) and a separate worker; 1 is the single process.
    scaled: { type: 'string', default: '1' },
  },
});
// Smoke: seconds, two users each, short answers; for CI.
const defaults = values.smoke
  ? { duration: 5, chatters: 2, stressors: 2, browsers: 2, direct: 1, 'rest-rate': 50, 'rest-seconds': 3, 'first-token-ms': 50, tokens: 20, 'token-ms': 10 }
  : { duration: 60, chatters: 50, stressors: 10, browsers: 30, direct: 5, 'rest-rate': 300, 'rest-seconds': 20, 'first-token-ms': 200, tokens: 200, 'token-ms': 25 };
const opt = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, values[k] === undefined ? v : Number(values[k])]));
opt.sockets = Number(values.sockets);
opt.scaled = Number(values.scaled);
if (!Number.isInteger(opt.scaled) || opt.scaled < 1) throw new Error('--scaled must be a whole number ≥ 1');
for (const [k, v] of Object.entries(opt)) if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a number ≥ 0`);

// Setup (users, knowledge file) rarely takes a minute; the rest is the run itself plus draining answers.
deadline((300 + opt.duration + opt['rest-seconds'] * 1.5 + 180) * 1000);

const stack = await startStack({ firstTokenMs: opt['first-token-ms'], tokens: opt.tokens, tokenMs: opt['token-ms'], profileDir: values.profile, scaled: opt.scaled });
if (!stack.engine.startsWith('native')) {
  console.warn('WARNING: no BENCH_DATABASE_URL/TEST_DATABASE_URL: running on the embedded database (PGlite, one connection); figures are not representative of a deployment.');
}
const seed = await seedAssistant(stack.api, stack.admin);
const users = {
  chatting: await createUsers(stack.api, seed, 'chatter', opt.chatters),
  stress: await createUsers(stack.api, seed, 'stressor', opt.stressors),
  browsing: await createUsers(stack.api, seed, 'browser', opt.browsers),
};
// Every conversation gets one answer before the clock starts: browsers then read real threads, and the
// server's first answers (JIT, connection pools, caches) stay out of the figures.
await answerOnce(stack.api, [...users.chatting, ...users.stress, ...users.browsing]);
if (values.smoke && users.browsing.length) {
  // load/k6/chatting.js speaks socket.io by hand: check its packets against this server.
  const [u] = users.browsing;
  const raw = await chatOverRawSocketIo(stack.api, u.token, u.conversationId, 'k6 protocol check');
  console.log(`k6 socket.io packets (load/k6/socketio.js): answer over a raw WebSocket, first token ${raw.ttft.toFixed(1)} ms, done ${raw.total.toFixed(1)} ms`);
}

const idle = [];
let idleErrors = 0;
let idleDropped = 0;
const everyone = [...users.chatting, ...users.stress, ...users.browsing];
for (let i = 0; i < opt.sockets && everyone.length; i += 100) {
  const batch = await Promise.allSettled(Array.from({ length: Math.min(100, opt.sockets - i) }, (_, j) => openSocket(stack.api, everyone[(i + j) % everyone.length].token)));
  for (const outcome of batch) {
    if (outcome.status === 'rejected') idleErrors++;
    else idle.push(outcome.value.on('disconnect', () => idleDropped++));
  }
}

const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(
  `Atrium: ${stack.mode}; engine ${stack.engine}; ${os.cpus().length} cores, load average ${load} before the run; model: first token ${opt['first-token-ms']} ms, ${opt.tokens} tokens ${opt['token-ms']} ms apart\n` +
    `mixed run ${opt.duration} s: ${opt.chatters} chatting, ${opt.stressors} stress, ${opt.browsers} browsing users, ${opt.direct} direct model loops, ${idle.length} idle sockets (${idleErrors} failed to connect)`,
);

const cpuPids = { ...stack.pids, generator: process.pid };
const mixedCpu = await cpuMeter(cpuPids, stack.database);
const mixed = new Recorder();
const endAt = performance.now() + opt.duration * 1000;
const rampMs = Math.min(10_000, (opt.duration * 1000) / 6);
const context = { api: stack.api, rec: mixed, endAt, rampMs };
await Promise.all([
  chatting({ ...context, users: users.chatting }),
  stress({ ...context, users: users.stress }),
  browsing({ ...context, users: users.browsing }),
  direct({ ...context, modelUrl: stack.modelUrl, count: opt.direct }),
]);
mixed.stop();
streams.change(0);
const streamsAverage = streams.area / (opt.duration * 1000);
printReport('Mixed run', mixed);
console.log(`\n  ${(await mixedCpu()).text}`);
console.log(`\n  answers in flight through Atrium: peak ${streams.peak}, average ${streamsAverage.toFixed(1)}; idle sockets dropped during the run: ${idleDropped}`);
const sockets = { wanted: opt.sockets, held: idle.length - idleDropped, errors: idleErrors, dropped: idleDropped };
idle.forEach((s) => s.close());

let rest = new Recorder();
let restRun;
if (opt['rest-seconds'] > 0) {
  const readers = [...users.browsing, ...users.chatting];
  const phase = { api: stack.api, users: readers, assistantId: seed.assistantId, rate: opt['rest-rate'] };
  // Warm-up at the same rate (not recorded): JIT, connection pools, caches.
  await constantRate({ ...phase, seconds: Math.min(3, opt['rest-seconds']), rec: null });
  rest = new Recorder();
  const restCpu = await cpuMeter(cpuPids, stack.database);
  restRun = await constantRate({ ...phase, seconds: opt['rest-seconds'], rec: rest, scenario: 'REST (open model)' });
  const cpu = await restCpu();
  printReport(`REST phase: ${opt['rest-rate']} req/s scheduled`, rest);
  // CPU time per request barely depends on what else the machine runs, so it says what the rate needs anywhere.
  const served = rest.report()[0]?.requests ?? 0;
  const perRequest = (name) => (cpu.used[name] * 1000) / Math.max(1, served);
  console.log(
    `\n  sent ${restRun.sent} in ${restRun.sendSeconds.toFixed(1)} s (${(restRun.sent / restRun.sendSeconds).toFixed(1)} req/s offered), served ${restRun.served.toFixed(1)} req/s; worst generator lag ${restRun.worstLagMs.toFixed(1)} ms` +
      `\n  ${cpu.text}` +
      `\n  CPU per request: Atrium ${perRequest('atrium').toFixed(2)} ms${stack.database ? `, Postgres ${perRequest('Postgres (this database)').toFixed(2)} ms` : ''}; ` +
      `${opt['rest-rate']} req/s needs ${((perRequest('atrium') * opt['rest-rate']) / 10).toFixed(0)}% of a core ${stack.apiProcesses > 1 ? `across the ${stack.apiProcesses} API processes` : 'in the (single-threaded) Atrium process'}`,
  );
}

console.log(`\nload average after the run: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
printServerLog();
const verdict = compareWithTargets({ opt, mixed, rest, restRun, streams: { peak: streams.peak, average: streamsAverage }, sockets });
await shutdown();
if (values.profile) console.log(`CPU profile of the Atrium process written to ${values.profile}`);
process.exit(verdict.ok ? 0 : 1);
