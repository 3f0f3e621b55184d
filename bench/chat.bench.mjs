#!/usr/bin/env node
// What Atrium adds to a streamed answer, and how many sockets it holds.
//   npm run bench:chat -- [--streams 1,50,200] [--seconds 6] [--phases 2] [--connections 1000] [--api]
//   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:chat
// Three processes on loopback: a streaming test model server, the built
// Atrium server (`node server/dist/main.js api`, native Postgres when
// BENCH_DATABASE_URL/TEST_DATABASE_URL is set, else the embedded database),
// and this one, which drives both. At each concurrency it keeps that many
// streams in flight for a few seconds, alternating phases of direct streams
// (the openai SDK against the model server) with phases through Atrium
// (socket.io chat:send on separate conversations, retrieval over a small
// knowledge file included), and prints time to first token and total time
// for both, and the difference. With --api, a third kind of phase streams
// through the OpenAI-compatible API (/api/openai/v1/chat/completions with the
// openai SDK and each user's personal access token, same assistant and
// question), printed as a second row per level. Then it opens --connections
// authenticated sockets and checks they all stay up while a chat still works.
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { io as connect } from 'socket.io-client';
import { apiCaller, shutdown, startStack } from '../load/node/stack.mjs';
import { percentile } from './support/benchDatabase.mjs';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '1,50,200' },
    seconds: { type: 'string', default: '6' },
    phases: { type: 'string', default: '2' },
    connections: { type: 'string', default: '1000' },
    // Writes a V8 CPU profile of the Atrium process into this folder.
    profile: { type: 'string' },
    // Also measure streaming through /api/openai/v1/chat/completions.
    api: { type: 'boolean', default: false },
    'first-token-ms': { type: 'string', default: '20' },
    tokens: { type: 'string', default: '30' },
    'token-ms': { type: 'string', default: '5' },
  },
});
const levels = values.streams.split(',').map(Number);
const connectionCount = Number(values.connections);

const summary = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), n: sorted.length };
};
const ms = (x) => x.toFixed(1).padStart(7);

// ── set up: the model server and Atrium as child processes (load/node/stack.mjs) ──
const stack = await startStack({ firstTokenMs: values['first-token-ms'], tokens: values.tokens, tokenMs: values['token-ms'], profileDir: values.profile });
const { api, modelUrl } = stack;
const call = apiCaller(api);
const { accessToken: token } = await call('POST', '/api/v1/auth/login', stack.admin);
const assistant = await call('POST', '/api/v1/assistants', { name: 'Bench', instructions: 'Answer briefly.' }, token);
const form = new FormData();
form.append('files', new Blob([fs.readFileSync(new URL('../tests/fixtures/documents/misc/unstructured__norwich-city.txt', import.meta.url))]), 'norwich.txt');
const upload = await fetch(`${api}/api/v1/assistants/${assistant.id}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
const fileId = (await upload.json()).files[0].id;
for (let status = ''; status !== 'ready'; ) {
  await new Promise((r) => setTimeout(r, 200));
  status = (await call('GET', `/api/v1/assistants/${assistant.id}/files/${fileId}`, undefined, token)).status;
  if (status === 'failed') throw new Error('knowledge file failed');
}
console.log(`engine ${stack.engine}; model server: first token ${values['first-token-ms']} ms, ${values.tokens} tokens ${values['token-ms']} ms apart; ${os.cpus().length} cores`);

// One user per stream, as in real use: a user's answer events go to that user's sockets only.
const maxLevel = Math.max(...levels);
const group = await call('POST', '/api/v1/groups', { name: 'Bench users' }, token);
await call('PATCH', `/api/v1/assistants/${assistant.id}`, { groupIds: [group.id] }, token);
const users = [];
const apiClients = [];
for (let i = 0; i < maxLevel; i++) {
  const created = await call('POST', '/api/v1/users', { email: `bench-${i}@example.com`, name: `Bench ${i}`, role: 'user' }, token);
  await call('PUT', `/api/v1/groups/${group.id}/members/${created.id}`, { role: 'member' }, token);
  const temporary = await call('POST', '/api/v1/auth/login', { email: created.email, password: created.temporaryPassword });
  const session = await call('POST', '/api/v1/me/password', { currentPassword: created.temporaryPassword, newPassword: `bench password ${i} long enough` }, temporary.accessToken);
  users.push(session.accessToken);
  if (values.api) {
    const pat = await call('POST', '/api/v1/me/tokens', { name: 'bench', scopes: ['chat'] }, session.accessToken);
    apiClients.push(new OpenAI({ apiKey: pat.token, baseURL: `${api}/api/openai/v1`, maxRetries: 0 }));
  }
}
const conversations = [];
for (const userToken of users) conversations.push((await call('POST', '/api/v1/conversations', { assistantId: assistant.id }, userToken)).id);
const sockets = await Promise.all(users.map((userToken) => openSocket(userToken)));

function openSocket(accessToken) {
  return new Promise((resolve, reject) => {
    const socket = connect(api, { auth: { token: accessToken }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

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

function throughAtrium(socket, conversationId) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    let messageId;
    const onChunk = (e) => {
      if (!first && (!messageId || e.messageId === messageId)) first = performance.now();
    };
    const onDone = (e) => {
      if (e.conversationId !== conversationId) return;
      socket.off('chat:chunk', onChunk).off('chat:done', onDone).off('chat:error', onError);
      resolve({ ttft: first - t0, total: performance.now() - t0 });
    };
    const onError = (e) => {
      if (e.conversationId !== conversationId) return;
      socket.off('chat:chunk', onChunk).off('chat:done', onDone).off('chat:error', onError);
      reject(new Error(e.error?.message ?? 'chat error'));
    };
    socket.on('chat:chunk', onChunk).on('chat:done', onDone).on('chat:error', onError);
    socket.emit('chat:send', { conversationId, content: question }, (ack) => {
      if (!ack.ok) reject(new Error(ack.error.message));
      messageId = ack.messageId;
    });
  });
}

// Warm both paths (JIT, connection pools, caches).
for (let i = 0; i < 20; i++) {
  await direct();
  await throughAtrium(sockets[0], conversations[0]);
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
console.log(`\nclosed loop, ${values.seconds} s per phase, phases alternate ${paths.join('/')} ${values.phases} times per level; "via" is how answers reach the client`);
console.log('streams | via       | direct TTFT p50/p95 | Atrium TTFT p50/p95 | added TTFT p50/p95 | direct total p50/p95 | Atrium total p50/p95 | added total p50/p95 | Atrium answers | errors');
const results = [];
for (const level of levels) {
  const samples = Object.fromEntries(paths.map((path) => [path, { ttft: [], total: [], errors: 0 }]));
  for (let phase = 0; phase < Number(values.phases); phase++) {
    // Rotate which path goes first, so drift in the machine hits all alike.
    const order = paths.map((_, k) => paths[(k + phase) % paths.length]);
    for (const path of order) {
      const outcome = await closedLoop(level, Number(values.seconds) * 1000, runners[path]);
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
sockets.forEach((s) => s.close());

// ── connections ──
const held = [];
let connectErrors = 0;
let dropped = 0;
const t0 = performance.now();
for (let i = 0; i < connectionCount; i += 100) {
  const batch = await Promise.allSettled(Array.from({ length: Math.min(100, connectionCount - i) }, (_, j) => openSocket(users[(i + j) % users.length])));
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
await new Promise((r) => setTimeout(r, 5000));
console.log(
  `\nsockets: ${held.length}/${connectionCount} connected in ${(connectMs / 1000).toFixed(1)} s, ${connectErrors} errors, ${dropped} dropped over 5 s; ` +
    `with all open: /api/health ${healthMs.toFixed(1)} ms, a chat TTFT ${chatWhileHeld.ttft.toFixed(1)} ms, total ${chatWhileHeld.total.toFixed(1)} ms`,
);
held.forEach((s) => s.close());

await shutdown();
for (const worst of results.filter((r) => r.level === maxLevel)) {
  const via = worst.via === 'atrium' ? 'socket.io' : '/api/openai/v1/chat/completions';
  console.log(`\nat ${maxLevel} streams the server added ${(worst.at.p50 - worst.dt.p50).toFixed(1)} ms (p50) / ${(worst.at.p95 - worst.dt.p95).toFixed(1)} ms (p95) to time to first token through ${via} (target ≤ 5 / ≤ 20)`);
}
process.exit(0);
