import { io, type Socket } from 'socket.io-client';
import { session } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ErrorInfo } from '../api/types.js';

// One socket per signed-in tab. The token is read at every (re)connect, so a
// reconnect uses the current access token; a handshake refused for an
// expired token refreshes it and tries again.

export type ConnectionState = 'connecting' | 'online' | 'offline';

type Ack<T> = ({ ok: true } & T) | { ok: false; error: ErrorInfo };

let socket: Socket | null = null;
const stateListeners = new Set<(state: ConnectionState) => void>();
let state: ConnectionState = 'connecting';

function setState(next: ConnectionState) {
  state = next;
  stateListeners.forEach((l) => l(next));
}

export function connectionState(): ConnectionState {
  return state;
}

export function onConnectionState(listener: (state: ConnectionState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

export function chatSocket(): Socket {
  if (socket) return socket;
  const s = io({
    path: '/socket.io',
    auth: (cb) => cb({ token: session.token() }),
    // A websocket first: one connection held by one API process, so replicas behind nginx need no
    // sticky sessions (docs/scale-out.md). Long-polling is the fallback where websockets are blocked.
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    // A websocket attempt made while the network is down can hang rather than fail; give up on it
    // after 5 s (instead of 20) so the next attempt, once the network is back, comes soon.
    timeout: 5000,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  s.on('connect', () => setState('online'));
  // socket.io retries lost connections by itself, but not a handshake the server
  // refused (expired token) nor a socket it closed: renew the session, then connect again.
  const renewAndConnect = () =>
    void session.refresh().then((next) => {
      if (next) setTimeout(() => s.connect(), 250);
      else session.set(null, 'expired');
    });
  s.on('disconnect', (reason) => {
    setState('offline');
    if (reason === 'io server disconnect') renewAndConnect();
  });
  s.on('connect_error', () => {
    setState('offline');
    if (!s.active) renewAndConnect();
  });
  socket = s;
  return s;
}

export function closeChatSocket(): void {
  socket?.close();
  socket = null;
  setState('connecting');
}

/** Emits with an acknowledgement; a refusal becomes an ApiError, no connection a `network` one. */
export function request<T extends object>(event: string, payload: unknown, timeoutMs = 15_000): Promise<T> {
  const s = chatSocket();
  if (!s.connected) return Promise.reject(new ApiError(0, 'network', 'Not connected'));
  return new Promise((resolve, reject) => {
    s.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: Ack<T>) => {
      if (err) reject(new ApiError(0, 'network', 'No answer from the server'));
      else if (ack.ok) resolve(ack);
      else reject(ApiError.from(ack.error));
    });
  });
}
