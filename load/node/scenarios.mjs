// The three kinds of users of issue 8, run concurrently as virtual users in a
// closed loop (act, think, act again) until the run's end time, plus a probe
// that streams straight from the model server so Atrium's added time to
// first token can be told apart from the model's own and the machine's.
import http from 'node:http';
import { askOverSocket, askOverSse, call, openSocket } from './client.mjs';
import { QUESTION } from './seed.mjs';
import { sleep } from './stack.mjs';

const between = (lo, hi) => lo + Math.random() * (hi - lo);

/** Answers in flight through Atrium, sampled so the report can say what concurrency the TTFT was measured at. */
export const streams = {
  current: 0,
  peak: 0,
  area: 0,
  last: performance.now(),
  change(delta) {
    const now = performance.now();
    this.area += this.current * (now - this.last);
    this.last = now;
    this.current += delta;
    this.peak = Math.max(this.peak, this.current);
  },
};

async function streamed(run) {
  streams.change(1);
  try {
    return await run();
  } finally {
    streams.change(-1);
  }
}

/** Runs `iteration` for one virtual user until `endAt`, after a random start within the ramp-up. */
async function virtualUser(endAt, rampMs, iteration) {
  await sleep(Math.random() * rampMs);
  for (let i = 0; performance.now() < endAt; i++) await iteration(i);
}

const thinkUntil = (endAt, lo, hi) => sleep(Math.max(0, Math.min(between(lo, hi), endAt - performance.now())));

/** Staff chatting: socket.io chat, 1–3 s of thought after each answer, then a list or thread read and the next question. */
export async function chatting({ api, users, rec, endAt, rampMs }) {
  const sockets = await Promise.all(users.map((u) => openSocket(api, u.token)));
  const name = 'chatting';
  await Promise.all(
    users.map((u, n) =>
      virtualUser(endAt, rampMs, async (i) => {
        await rec.time(name, 'chat:send → chat:done (socket.io)', () => streamed(() => askOverSocket(sockets[n], u.conversationId, QUESTION)));
        await thinkUntil(endAt, 1000, 3000);
        if (performance.now() >= endAt) return;
        if (i % 2 === 0) await rec.time(name, 'GET /conversations', () => call(api, 'GET', '/api/v1/conversations', { token: u.token }));
        else await rec.time(name, 'GET /conversations/:id', () => call(api, 'GET', `/api/v1/conversations/${u.conversationId}`, { token: u.token }));
      }),
    ),
  );
  sockets.forEach((s) => s.close());
}

/** Stress: questions over server-sent events with 0.1–0.5 s between actions, and reads in between. */
export async function stress({ api, users, rec, endAt, rampMs }) {
  const name = 'stress';
  await Promise.all(
    users.map((u) =>
      virtualUser(endAt, rampMs, async () => {
        await rec.time(name, 'POST messages (SSE)', () => streamed(() => askOverSse(api, u.token, u.conversationId, QUESTION)));
        await thinkUntil(endAt, 100, 500);
        if (performance.now() >= endAt) return;
        await rec.time(name, 'GET /conversations/:id', () => call(api, 'GET', `/api/v1/conversations/${u.conversationId}`, { token: u.token }));
        await thinkUntil(endAt, 100, 500);
        if (performance.now() >= endAt) return;
        await rec.time(name, 'GET /conversations', () => call(api, 'GET', '/api/v1/conversations', { token: u.token }));
        await thinkUntil(endAt, 100, 500);
      }),
    ),
  );
}

export const READS = [
  ['GET /conversations', (u) => '/api/v1/conversations'],
  ['GET /conversations/:id', (u) => `/api/v1/conversations/${u.conversationId}`],
  ['GET /assistants', () => '/api/v1/assistants'],
  ['GET /me/usage', () => '/api/v1/me/usage'],
];

/** Read-only browsing of conversations and assistants, 0.5–1 s between pages. */
export async function browsing({ api, users, rec, endAt, rampMs }) {
  const name = 'browsing';
  await Promise.all(
    users.map((u, n) =>
      virtualUser(endAt, rampMs, async (i) => {
        const [kind, path] = READS[(n + i) % READS.length];
        await rec.time(name, kind, () => call(api, 'GET', path(u), { token: u.token }));
        await thinkUntil(endAt, 500, 1000);
      }),
    ),
  );
}

/** Streams one answer straight from the model server: time to the first content delta and to the end. */
function askModelDirectly(modelUrl) {
  const payload = JSON.stringify({ model: 'bench-model', stream: true, messages: [{ role: 'user', content: QUESTION }] });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let ttft;
    const req = http.request(`${modelUrl}/chat/completions`, { method: 'POST', timeout: 60_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        if (ttft === undefined && /"content":"[^"]/.test(d)) ttft = performance.now() - t0;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve({ ttft, total: performance.now() - t0 }) : reject(new Error(`model ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('model timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** `count` loops streaming from the model server directly, with the chatting users' think time. */
export async function direct({ modelUrl, count, rec, endAt, rampMs }) {
  await Promise.all(
    Array.from({ length: count }, () =>
      virtualUser(endAt, rampMs, async () => {
        await rec.time('model server direct (baseline)', 'POST chat/completions', () => askModelDirectly(modelUrl));
        await thinkUntil(endAt, 1000, 3000);
      }),
    ),
  );
}
