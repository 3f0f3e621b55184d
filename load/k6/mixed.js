// @ts-check
// The three users at once, as on a working day: CHATTERS, STRESSORS and
// BROWSERS virtual users (default 50 / 10 / 30), each ramping over RAMP and
// holding for DURATION.
//   k6 run -e BASE_URL=https://atrium.example.com -e USERS_FILE=users.json load/k6/mixed.js
import { envNumber, prepare, rampingScenario, thresholds } from './lib.js';

export { browsing } from './browsing.js';
export { chatting } from './chatting.js';
export { stress } from './stress.js';

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    chatting: rampingScenario('chatting', envNumber('CHATTERS', 50)),
    stress: rampingScenario('stress', envNumber('STRESSORS', 10)),
    browsing: rampingScenario('browsing', envNumber('BROWSERS', 30)),
  },
  thresholds: {
    ...thresholds(),
    atrium_time_to_first_token: [`p(95)<${envNumber('TTFT_P95_MS', 3000)}`],
    atrium_answer_start: [`p(95)<${envNumber('ANSWER_START_P95_MS', 500)}`],
  },
};

export function setup() {
  return prepare();
}
