import { ApiError } from './errors.js';
import type { Session } from './types.js';

// The access token lives in memory only; the refresh token is an httpOnly
// cookie scoped to /api/v1/auth. A 401 `token_expired` refreshes once (one
// refresh shared by all requests in flight) and retries.

type Listener = (session: Session | null, reason?: 'expired' | 'logout') => void;

let current: Session | null = null;
// Only a marker that this browser signed in (no token): lets a first visit skip a refresh that can only fail.
const SIGNED_IN_KEY = 'atrium.signedIn';
let refreshing: Promise<Session | null> | null = null;
const listeners = new Set<Listener>();

export const session = {
  get: () => current,
  token: () => current?.accessToken ?? null,
  set(next: Session | null, reason?: 'expired' | 'logout') {
    current = next;
    if (next) localStorage.setItem(SIGNED_IN_KEY, '1');
    else localStorage.removeItem(SIGNED_IN_KEY);
    listeners.forEach((l) => l(next, reason));
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Whether this browser may still hold a session cookie. */
  mayResume: () => localStorage.getItem(SIGNED_IN_KEY) === '1',
  /** Exchanges the refresh cookie for a new access token; null when there is no valid session. */
  refresh(): Promise<Session | null> {
    refreshing ??= fetch('/api/v1/auth/refresh', { method: 'POST', credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) {
          localStorage.removeItem(SIGNED_IN_KEY);
          return null;
        }
        const next = (await res.json()) as Session;
        session.set(next);
        return next;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  },
};

async function parseError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: unknown } } | undefined;
  const retryAfter = Number(res.headers.get('retry-after')) || undefined;
  return new ApiError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? `Request failed (${res.status})`, body?.error?.details, retryAfter);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Let the request outlive the page (sent while leaving it). */
  keepalive?: boolean;
}

/** fetch with the bearer token; refreshes once on an expired token. Answers the raw Response. */
export async function apiFetch(path: string, options: RequestOptions = {}): Promise<Response> {
  // A FormData body (file uploads) goes as multipart; the browser writes its Content-Type with the boundary.
  const form = options.body instanceof FormData ? options.body : null;
  const send = (token: string | null) =>
    fetch(path, {
      method: options.method ?? 'GET',
      credentials: 'same-origin',
      signal: options.signal,
      keepalive: options.keepalive,
      headers: {
        Accept: 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(options.body === undefined || form ? {} : { 'Content-Type': 'application/json' }),
      },
      body: form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
  let res = await send(session.token());
  if (res.status === 401) {
    const error = await parseError(res.clone());
    if (error.code === 'token_expired' || error.code === 'unauthenticated') {
      const next = await session.refresh();
      if (!next) {
        session.set(null, 'expired');
        throw new ApiError(401, 'session_expired', 'Your session has expired. Please sign in again.');
      }
      res = await send(next.accessToken);
    }
  }
  if (!res.ok) {
    const error = await parseError(res);
    // An administrator reset the password meanwhile: the app shows the password screen.
    if (error.code === 'password_change_required' && current) session.set({ ...current, user: { ...current.user, mustChangePassword: true } });
    throw error;
  }
  return res;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await apiFetch(path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
