// @ts-check
// A read-only user browsing: the conversation list, one of the conversations
// in it, the assistants, and their own usage, 0.5–1 s between pages.
//   k6 run -e BASE_URL=https://atrium.example.com -e USERS_FILE=users.json load/k6/browsing.js
import { envNumber, get, prepare, rampingScenario, think, thresholds } from './lib.js';
import exec from 'k6/execution';

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: { browsing: rampingScenario('browsing', envNumber('VUS', 30)) },
  thresholds: thresholds(),
};

export function setup() {
  return prepare();
}

/** @param {import('./lib.js').SetupData} data */
export function browsing(data) {
  // Browsing creates nothing: the account's own conversations are what it reads.
  const token = data.tokens[(exec.vu.idInTest - 1) % data.tokens.length] ?? '';
  const list = get(token, '/conversations', 'GET /conversations');
  const items = list.status === 200 ? /** @type {{ items: { id: string }[] }} */ (list.json()).items : [];
  think(0.5, 1);
  const pick = items[Math.floor(Math.random() * items.length)];
  if (pick) {
    get(token, `/conversations/${pick.id}`, 'GET /conversations/:id');
    think(0.5, 1);
  }
  get(token, '/assistants', 'GET /assistants');
  think(0.5, 1);
  get(token, '/me/usage', 'GET /me/usage');
  think(0.5, 1);
}

export default browsing;
