/**
 * The console's session: the access token lives in memory only; the refresh token is an
 * httpOnly cookie the browser sends to /api/v1/auth/refresh. A page reload therefore starts
 * with no access token and silently refreshes.
 */
export const API_URL = '/api/v1';

export type Role = 'admin' | 'manager' | 'user';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

interface TokenResponse {
  accessToken: string;
  user: SessionUser;
}

/** The API's one error shape: `{ error: { code, message, details? } }`. */
interface ApiErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let accessToken: string | null = null;
let currentUser: SessionUser | null = null;
let refreshInFlight: Promise<boolean> | null = null;

export function getUser(): SessionUser | null {
  return currentUser;
}

export function hasSession(): boolean {
  return accessToken !== null;
}

export function clearSession(): void {
  accessToken = null;
  currentUser = null;
}

function setSession({ accessToken: token, user }: TokenResponse): void {
  accessToken = token;
  currentUser = user;
}

async function parseResponse(response: Response): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const error = (body as ApiErrorBody | undefined)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `Request failed with status ${response.status}`,
      body,
    );
  }
  return body;
}

export async function login(email: string, password: string): Promise<SessionUser> {
  const response = await fetch(`${API_URL}/auth/login`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await parseResponse(response)) as TokenResponse;
  setSession(body);
  return body.user;
}

/** Exchanges the refresh cookie for a new access token; concurrent callers share one request. */
export function refresh(): Promise<boolean> {
  refreshInFlight ??= (async () => {
    try {
      const response = await fetch(`${API_URL}/auth/refresh`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        clearSession();
        return false;
      }
      setSession((await response.json()) as TokenResponse);
      return true;
    } catch {
      clearSession();
      return false;
    } finally {
      refreshInFlight = null;
    }
  })();
  return refreshInFlight;
}

export async function logout(): Promise<void> {
  try {
    await fetch(`${API_URL}/auth/logout`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {},
    });
  } finally {
    clearSession();
  }
}

/** Authenticated JSON request against the API; retries once after refreshing an expired token. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<unknown> {
  const send = () => {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    if (init.body !== undefined && !headers.has('Content-Type')) {
      headers.set('Content-Type', 'application/json');
    }
    if (accessToken) headers.set('Authorization', `Bearer ${accessToken}`);
    return fetch(`${API_URL}${path}`, { ...init, headers, credentials: 'same-origin' });
  };

  let response = await send();
  if (response.status === 401 && (await refresh())) {
    response = await send();
  }
  return parseResponse(response);
}
