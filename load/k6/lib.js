// @ts-check
// What the three k6 users share: where the server is, which accounts to use,
// logging in once per account in setup(), each virtual user's own
// conversation, tagged requests, the custom metrics and the thresholds.
import { check, fail, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Rate, Trend } from 'k6/metrics';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const API = `${BASE_URL}/api/v1`;
export const QUESTION = __ENV.QUESTION || 'Which football club plays at Carrow Road and what is its nickname?';

/** A number from __ENV, or the default. @param {string} name @param {number} fallback */
export function envNumber(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, not "${raw}"`);
  return value;
}

// ── metrics ──
/** Failed answers and requests of every kind, for the error-rate threshold. */
export const errors = new Rate('atrium_errors');
/** chatting: time from chat:send to the first chat:chunk (socket.io). */
export const timeToFirstToken = new Trend('atrium_time_to_first_token', true);
/** stress: time to the SSE response's first byte; Atrium sends the headers when the question is accepted, before the model's first token. */
export const answerStart = new Trend('atrium_answer_start', true);
/** Time from asking to the answer's `done` event, both transports. */
export const answerDuration = new Trend('atrium_answer_duration', true);

/** Thresholds every script applies: the SPEC's read p95, and under 1% errors. */
export function thresholds() {
  return {
    'http_req_duration{kind:read}': [`p(95)<${envNumber('READ_P95_MS', 25)}`],
    http_req_failed: ['rate<0.01'],
    atrium_errors: ['rate<0.01'],
  };
}

/**
 * A ramping-vus scenario: RAMP up to `vus`, hold for DURATION, ramp down.
 * @param {string} execName exported function to run @param {number} vus
 * @returns {import('k6/options').Scenario}
 */
export function rampingScenario(execName, vus) {
  const ramp = __ENV.RAMP || '30s';
  return {
    executor: 'ramping-vus',
    exec: execName,
    startVUs: 0,
    stages: [
      { duration: ramp, target: vus },
      { duration: __ENV.DURATION || '2m', target: vus },
      { duration: ramp, target: 0 },
    ],
    gracefulRampDown: '60s',
  };
}

// ── accounts and sessions ──
/**
 * USERS_FILE: a JSON array of {email, password} (one account per virtual
 * user is most realistic; accounts are reused round-robin), or one account
 * from USER_EMAIL / USER_PASSWORD. open() only works in the init context.
 * @type {{ email: string; password: string }[]}
 */
const accounts = __ENV.USERS_FILE
  ? JSON.parse(open(__ENV.USERS_FILE))
  : __ENV.USER_EMAIL && __ENV.USER_PASSWORD
    ? [{ email: __ENV.USER_EMAIL, password: __ENV.USER_PASSWORD }]
    : [];

/** @typedef {{ tokens: string[]; assistantId: string }} SetupData */

/** @param {{ email: string; password: string }} account @returns {string} */
function logIn(account) {
  // Logins are rate limited per address (LOGIN_RATE_PER_MINUTE): wait as told and try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = http.post(`${API}/auth/login`, JSON.stringify(account), { headers: { 'Content-Type': 'application/json' }, tags: { name: 'POST /auth/login', kind: 'login' } });
    if (res.status === 200) return /** @type {{ accessToken: string }} */ (res.json()).accessToken;
    if (res.status !== 429) fail(`login of ${account.email}: ${res.status} ${res.body}`);
    sleep(Number(res.headers['Retry-After'] || 10));
  }
  return fail(`login of ${account.email}: still rate limited`);
}

/** Logs every account in once and picks the assistant to talk to. @returns {SetupData} */
export function prepare() {
  if (!accounts.length) fail('set USERS_FILE, or USER_EMAIL and USER_PASSWORD (see load/README.md)');
  const tokens = accounts.map(logIn);
  let assistantId = __ENV.ASSISTANT_ID;
  if (!assistantId) {
    const page = /** @type {{ items: { id: string }[] }} */ (get(tokens[0] ?? '', '/assistants', 'GET /assistants').json());
    assistantId = page.items[0]?.id;
    if (!assistantId) fail('the first account may use no assistant; set ASSISTANT_ID');
  }
  return { tokens, assistantId };
}

/** @type {{ token: string; conversationId: string } | undefined} */
let session;

/**
 * This virtual user's token and conversation (each k6 VU has its own module
 * state): created on its first iteration.
 * @param {SetupData} data
 */
export function mySession(data) {
  if (!session) {
    const token = data.tokens[(exec.vu.idInTest - 1) % data.tokens.length] ?? '';
    const res = http.post(`${API}/conversations`, JSON.stringify({ assistantId: data.assistantId, title: `k6 ${exec.scenario.name} ${exec.vu.idInTest}` }), {
      headers: headers(token),
      tags: { name: 'POST /conversations', kind: 'write' },
    });
    if (!check(res, { 'conversation created': (r) => r.status === 201 })) fail(`creating a conversation: ${res.status} ${res.body}`);
    session = { token, conversationId: /** @type {{ id: string }} */ (res.json()).id };
  }
  return session;
}

/** @param {string} token */
export function headers(token) {
  return { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
}

/**
 * A read, tagged for the read threshold, counted as an error unless 200.
 * @param {string} token @param {string} path under /api/v1 @param {string} name tag with ids left out
 */
export function get(token, path, name) {
  const res = http.get(`${API}${path}`, { headers: headers(token), tags: { name, kind: 'read' } });
  errors.add(!check(res, { [`${name} 200`]: (r) => r.status === 200 }));
  return res;
}

/**
 * Asks a question with Accept: text/event-stream. k6 returns the body only
 * when the stream ends, so the first token cannot be seen here: `waiting`
 * is the time to the stream's start.
 * @param {{ token: string; conversationId: string }} s
 */
export function askOverSse(s) {
  const res = http.post(`${API}/conversations/${s.conversationId}/messages`, JSON.stringify({ content: QUESTION }), {
    headers: { ...headers(s.token), Accept: 'text/event-stream' },
    tags: { name: 'POST /conversations/:id/messages (SSE)', kind: 'answer' },
    timeout: '120s',
  });
  const ok = check(res, {
    'answer stream 200': (r) => r.status === 200,
    'answer ends with done': (r) => typeof r.body === 'string' && r.body.includes('event: done'),
  });
  errors.add(!ok);
  if (ok) {
    answerStart.add(res.timings.waiting);
    answerDuration.add(res.timings.duration);
  }
  return ok;
}

/** Sleeps a random time between lo and hi seconds. @param {number} lo @param {number} hi */
export function think(lo, hi) {
  sleep(lo + Math.random() * (hi - lo));
}

/** Seconds between lo and hi, for socket timers. @param {number} lo @param {number} hi */
export function thinkMs(lo, hi) {
  return (lo + Math.random() * (hi - lo)) * 1000;
}
