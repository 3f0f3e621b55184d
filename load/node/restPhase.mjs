// The SPEC's REST target: list and read endpoints at a constant arrival rate
// (an open model: requests are sent on schedule whether or not earlier ones
// have answered, as independent users would). Latency runs from each
// request's scheduled time, so a stalled server or a lagging generator shows
// in the figures instead of hiding behind fewer requests.
import { call } from './client.mjs';
import { READS } from './scenarios.mjs';
import { sleep } from './stack.mjs';

const TICK_MS = 2;
const MAX_IN_FLIGHT = 2000;

const REST_READS = [...READS, ['GET /assistants/:id', (u, assistantId) => `/api/v1/assistants/${assistantId}`]];

/**
 * Sends `rate` requests per second for `seconds`, rotating over users and
 * endpoints. Records into `rec` under `scenario` unless rec is null (warm-up).
 */
export async function constantRate({ api, users, assistantId, rate, seconds, rec, scenario }) {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const pending = new Set();
  let sent = 0;
  let answered = 0;
  let lastAnswerAt = t0;
  let worstLagMs = 0;
  while (performance.now() < end) {
    // Request k is due at t0 + k/rate: request 0 at once.
    const due = Math.min(Math.floor(((performance.now() - t0) / 1000) * rate) + 1, Math.ceil(seconds * rate));
    for (; sent < due; sent++) {
      const scheduled = t0 + (sent / rate) * 1000;
      worstLagMs = Math.max(worstLagMs, performance.now() - scheduled);
      const [kind, path] = REST_READS[sent % REST_READS.length];
      const user = users[Math.floor(sent / REST_READS.length) % users.length];
      if (pending.size >= MAX_IN_FLIGHT) {
        rec?.fail(scenario, kind, `not sent: the server was ${MAX_IN_FLIGHT} requests behind`);
        continue;
      }
      const request = call(api, 'GET', path(user, assistantId), { token: user.token })
        .then(
          () => rec?.ok(scenario, kind, performance.now() - scheduled),
          (error) => rec?.fail(scenario, kind, error.message),
        )
        .finally(() => {
          answered++;
          lastAnswerAt = performance.now();
        });
      pending.add(request);
      void request.finally(() => pending.delete(request));
    }
    await sleep(TICK_MS);
  }
  rec?.stop();
  const sendSeconds = (performance.now() - t0) / 1000;
  await Promise.race([Promise.all(pending), sleep(35_000)]);
  // Served per second: what the server kept up with, whatever was offered.
  return { sent, sendSeconds, served: answered / ((lastAnswerAt - t0) / 1000), worstLagMs };
}
