// @ts-check
// socket.io (protocol 5, Engine.IO 4) over a plain WebSocket, as far as a
// chat needs it: k6 has no socket.io client, and the web app chats over
// socket.io, so this is how a k6 user sees the first token the moment it
// arrives. Pure functions with no k6 import, so Node can test them against a
// real server (load/node/socketioProtocol.check.mjs).

/** @param {string} baseUrl http(s)://host[:port] */
export function socketIoUrl(baseUrl) {
  return `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
}

/** Engine.IO pong, the answer to the server's ping ("2"). */
export const PONG = '3';

/** CONNECT to the default namespace with the access token as the handshake's auth. */
export function connectPacket(/** @type {string} */ token) {
  return `40${JSON.stringify({ token })}`;
}

/**
 * An EVENT, with an ack id when the server's reply is wanted.
 * @param {string} name @param {unknown} payload @param {number} [ackId]
 */
export function emitPacket(name, payload, ackId) {
  return `42${ackId ?? ''}${JSON.stringify([name, payload])}`;
}

/**
 * @typedef {{ type: 'open' | 'ping' | 'close' | 'connect' | 'connect_error' | 'disconnect' | 'other'; data?: any }
 *   | { type: 'event'; name: string; data: any; id?: number }
 *   | { type: 'ack'; id: number; data: any[] }} Packet
 */

/** @param {string} text */
function leadingDigits(text) {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  return { id: i ? Number(text.slice(0, i)) : undefined, rest: text.slice(i) };
}

/** @param {string} raw one WebSocket text frame @returns {Packet} */
export function decode(raw) {
  const engine = raw.charAt(0);
  if (engine === '0') return { type: 'open', data: JSON.parse(raw.slice(1)) };
  if (engine === '1') return { type: 'close' };
  if (engine === '2') return { type: 'ping' };
  if (engine !== '4') return { type: 'other' };
  const kind = raw.charAt(1);
  const body = raw.slice(2);
  if (kind === '0') return { type: 'connect', data: body ? JSON.parse(body) : undefined };
  if (kind === '1') return { type: 'disconnect' };
  if (kind === '4') return { type: 'connect_error', data: body ? JSON.parse(body) : undefined };
  if (kind === '2') {
    const { id, rest } = leadingDigits(body);
    const [name, data] = JSON.parse(rest);
    return { type: 'event', name, data, id };
  }
  if (kind === '3') {
    const { id, rest } = leadingDigits(body);
    return { type: 'ack', id: id ?? -1, data: JSON.parse(rest) };
  }
  return { type: 'other' };
}
