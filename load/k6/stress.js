// @ts-check
// A stress user: questions over server-sent events and reads in between with
// only 0.1–0.5 s between actions. k6 reads an event stream whole, so this
// user records the answer's start (time to first byte) and total duration;
// chatting.js measures the first token itself.
//   k6 run -e BASE_URL=https://atrium.example.com -e USERS_FILE=users.json load/k6/stress.js
import { askOverSse, envNumber, get, mySession, prepare, rampingScenario, think, thresholds } from './lib.js';

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: { stress: rampingScenario('stress', envNumber('VUS', 10)) },
  thresholds: {
    ...thresholds(),
    atrium_answer_start: [`p(95)<${envNumber('ANSWER_START_P95_MS', 500)}`],
  },
};

export function setup() {
  return prepare();
}

/** @param {import('./lib.js').SetupData} data */
export function stress(data) {
  const s = mySession(data);
  askOverSse(s);
  think(0.1, 0.5);
  get(s.token, `/conversations/${s.conversationId}`, 'GET /conversations/:id');
  think(0.1, 0.5);
  get(s.token, '/conversations', 'GET /conversations');
  think(0.1, 0.5);
}

export default stress;
