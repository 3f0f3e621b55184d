// The load generator's side of the wire: JSON over keep-alive HTTP, answers
// over server-sent events, and chat over socket.io, each with a timeout so no
// virtual user can wait forever.
import http from 'node:http';
import { io as connect } from 'socket.io-client';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const REQUEST_TIMEOUT_MS = 30_000;
const ANSWER_TIMEOUT_MS = 120_000;

export class HttpError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')} → ${status}${body ? ` ${body.slice(0, 80)}` : ''}`);
    this.status = status;
  }
}

/**
 * One JSON request; resolves with the parsed body (null for 204), rejects on
 * any non-2xx. A GET on a kept-alive connection that the server closed as it
 * was reused is sent once more, as browsers do; that race is the client's,
 * not a failure of the server.
 */
export async function call(base, method, path, options = {}) {
  try {
    return await send(base, method, path, options);
  } catch (error) {
    if (method !== 'GET' || !error.reusedSocket || error.code !== 'ECONNRESET') throw error;
    return send(base, method, path, options);
  }
}

function send(base, method, path, { token, body } = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      base + path,
      {
        method,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode < 200 || res.statusCode > 299) return reject(new HttpError(method, path, res.statusCode, text));
          try {
            resolve(res.statusCode === 204 || !text ? null : JSON.parse(text));
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
    req.end(payload);
  });
}

/**
 * Asks a question with `Accept: text/event-stream` and reads the answer's
 * events as they come: resolves with the time to the first `chunk` event
 * and to `done`, rejects on an `error` event, a non-200 or a stream that
 * ends without `done`.
 */
export function askOverSse(base, token, conversationId, content) {
  const path = `/api/v1/conversations/${conversationId}/messages`;
  const payload = JSON.stringify({ content });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let ttft;
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      req.destroy();
      fn(value);
    };
    const req = http.request(
      base + path,
      {
        method: 'POST',
        agent,
        timeout: ANSWER_TIMEOUT_MS,
        headers: { accept: 'text/event-stream', 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` },
      },
      (res) => {
        if (res.statusCode !== 200 && res.statusCode !== 201) {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => settle(reject, new HttpError('POST', path, res.statusCode, text)));
          return;
        }
        // Atrium sends the headers once the question is stored and the answer begun, before the model is called.
        const startedAt = performance.now() - t0;
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (data) => {
          buffer += data;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            if (event === 'chunk') ttft ??= performance.now() - t0;
            else if (event === 'done') settle(resolve, { ttft: ttft ?? performance.now() - t0, total: performance.now() - t0, parts: { 'stream start (question accepted)': startedAt } });
            else if (event === 'error') settle(reject, new Error(`answer error: ${/"code":"([^"]+)"/.exec(frame)?.[1] ?? 'unknown'}`));
          }
        });
        res.on('end', () => settle(reject, new Error('stream ended without done')));
        res.on('error', (e) => settle(reject, e));
      },
    );
    req.on('timeout', () => settle(reject, new Error(`answer timed out after ${ANSWER_TIMEOUT_MS} ms`)));
    req.on('error', (e) => settle(reject, e));
    req.end(payload);
  });
}

export function openSocket(base, token) {
  return new Promise((resolve, reject) => {
    const socket = connect(base, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: REQUEST_TIMEOUT_MS });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => {
      socket.close();
      reject(e);
    });
  });
}

/**
 * chat:send on a socket: resolves with the time to the first chat:chunk of
 * that conversation and to its chat:done. One answer per conversation at a
 * time, so the conversation id tells the events apart.
 */
export function askOverSocket(socket, conversationId, content) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let ttft;
    let acked;
    const finish = (fn, value) => {
      clearTimeout(timer);
      socket.off('chat:chunk', onChunk).off('chat:done', onDone).off('chat:error', onError).off('disconnect', onDisconnect);
      fn(value);
    };
    const onChunk = (e) => {
      if (e.conversationId === conversationId) ttft ??= performance.now() - t0;
    };
    const onDone = (e) => {
      if (e.conversationId === conversationId) finish(resolve, { ttft: ttft ?? performance.now() - t0, total: performance.now() - t0, parts: acked === undefined ? {} : { 'ack (question accepted)': acked } });
    };
    const onError = (e) => {
      if (e.conversationId === conversationId) finish(reject, new Error(`chat:error ${e.error?.code ?? 'unknown'}`));
    };
    const onDisconnect = (reason) => finish(reject, new Error(`socket disconnected: ${reason}`));
    const timer = setTimeout(() => finish(reject, new Error(`answer timed out after ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
    socket.on('chat:chunk', onChunk).on('chat:done', onDone).on('chat:error', onError).on('disconnect', onDisconnect);
    socket.emit('chat:send', { conversationId, content }, (ack) => {
      // The ack comes once the question is stored and the answer begun, before the model is called.
      acked = performance.now() - t0;
      if (!ack?.ok) finish(reject, new Error(`chat:send refused: ${ack?.error?.code ?? 'no ack'}`));
    });
  });
}
