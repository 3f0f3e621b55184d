// @ts-check
// A staff member chatting, as the web app does: one socket.io connection per
// session, a few questions with 1–3 s of thought between answers, and a
// look at the conversation list between sessions. Measures the real time to
// first token (chat:send → first chat:chunk) and to chat:done.
//   k6 run -e BASE_URL=https://atrium.example.com -e USERS_FILE=users.json load/k6/chatting.js
import { check } from 'k6';
import ws from 'k6/ws';
import { answerDuration, BASE_URL, envNumber, errors, get, mySession, prepare, QUESTION, rampingScenario, think, thinkMs, thresholds, timeToFirstToken } from './lib.js';
import { connectPacket, decode, emitPacket, PONG, socketIoUrl } from './socketio.js';

const QUESTIONS_PER_SESSION = envNumber('QUESTIONS_PER_SESSION', 3);
const ANSWER_TIMEOUT_MS = envNumber('ANSWER_TIMEOUT_MS', 120_000);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: { chatting: rampingScenario('chatting', envNumber('VUS', 50)) },
  thresholds: {
    ...thresholds(),
    atrium_time_to_first_token: [`p(95)<${envNumber('TTFT_P95_MS', 3000)}`],
  },
};

export function setup() {
  return prepare();
}

/** @param {import('./lib.js').SetupData} data */
export function chatting(data) {
  const s = mySession(data);
  let asked = 0;
  let answered = 0;
  let sentAt = 0;
  let firstAt = 0;
  const res = ws.connect(socketIoUrl(BASE_URL), { tags: { name: 'socket.io' } }, (socket) => {
    const ask = () => {
      sentAt = Date.now();
      firstAt = 0;
      socket.send(emitPacket('chat:send', { conversationId: s.conversationId, content: QUESTION }, asked++));
      // An answer that never ends is an error, not a hung virtual user.
      const waitingFor = asked;
      socket.setTimeout(() => {
        if (answered < waitingFor) {
          errors.add(true);
          socket.close();
        }
      }, ANSWER_TIMEOUT_MS);
    };
    const failed = () => {
      errors.add(true);
      socket.close();
    };
    socket.on('message', (raw) => {
      const packet = decode(raw);
      if (packet.type === 'open') socket.send(connectPacket(s.token));
      else if (packet.type === 'ping') socket.send(PONG);
      else if (packet.type === 'connect') ask();
      else if (packet.type === 'connect_error' || packet.type === 'disconnect') failed();
      else if (packet.type === 'ack' && !packet.data[0]?.ok) failed();
      else if (packet.type === 'event' && packet.data?.conversationId === s.conversationId) {
        if (packet.name === 'chat:chunk' && !firstAt) {
          firstAt = Date.now();
          timeToFirstToken.add(firstAt - sentAt);
        } else if (packet.name === 'chat:done') {
          answered++;
          answerDuration.add(Date.now() - sentAt);
          errors.add(false);
          if (answered >= QUESTIONS_PER_SESSION) socket.close();
          else socket.setTimeout(ask, thinkMs(1, 3));
        } else if (packet.name === 'chat:error') failed();
      }
    });
    socket.on('error', () => failed());
  });
  check(res, { 'socket.io connected (101)': (r) => !!r && r.status === 101 });
  think(1, 3);
  get(s.token, '/conversations', 'GET /conversations');
  think(1, 3);
  get(s.token, `/conversations/${s.conversationId}`, 'GET /conversations/:id');
  think(1, 3);
}

export default chatting;
