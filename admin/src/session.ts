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

/** What the API says the signed-in user may do (GET /me), e.g. `{ 'user.list': true }`. */
export type Abilities = Record<string, boolean>;

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
let currentAbilities: Abilities = {};

export function getAbilities(): Abilities {
  return currentAbilities;
}

/** For the socket.io handshake, which cannot use the fetch wrapper below. */
export function getAccessToken(): string | null {
  return accessToken;
}

export function getUser(): SessionUser | null {
  return currentUser;
}

export function hasSession(): boolean {
  return accessToken !== null;
}

export function clearSession(): void {
  accessToken = null;
  currentUser = null;
  currentAbilities = {};
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
  let endSessionUrl: string | null = null;
  try {
    // Identity: ends a single sign-on session at the provider too, when it offers that.
    const res = await fetch(`${API_URL}/auth/oidc/logout`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}) },
      body: JSON.stringify({ returnTo: '/admin/' }),
    });
    if (res.ok) endSessionUrl = ((await res.json()) as { endSessionUrl: string | null }).endSessionUrl;
  } finally {
    clearSession();
  }
  if (endSessionUrl) window.location.assign(endSessionUrl);
}

/** Authenticated request; retries once after refreshing an expired token. Multipart bodies keep their own type. */
export async function apiResponse(path: string, init: RequestInit = {}): Promise<Response> {
  const send = () => {
    const headers = new Headers(init.headers);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');
    if (typeof init.body === 'string' && !headers.has('Content-Type')) {
      headers.set('Content-Type', 'application/json');
    }
    if (accessToken) headers.set('Authorization', `Bearer ${accessToken}`);
    return fetch(`${API_URL}${path}`, { ...init, headers, credentials: 'same-origin' });
  };

  let response = await send();
  if (response.status === 401 && (await refresh())) {
    response = await send();
  }
  return response;
}

/** Authenticated JSON request against the API. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<unknown> {
  return parseResponse(await apiResponse(path, init));
}

/** Fetches a download (CSV, NDJSON, a knowledge file) with the token and hands it to the browser as a file. */
export async function downloadFile(path: string, fallbackName: string): Promise<void> {
  const response = await apiResponse(path, { headers: { Accept: '*/*' } });
  if (!response.ok) await parseResponse(response);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name ? decodeURIComponent(name) : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Loads the signed-in user's abilities; the console hides what they do not allow. */
export async function loadAbilities(): Promise<Abilities> {
  const me = (await apiFetch('/me')) as SessionUser & { abilities: Abilities };
  currentUser = { id: me.id, email: me.email, name: me.name, role: me.role };
  currentAbilities = me.abilities;
  return currentAbilities;
}

/** The message and, for validation errors, the field errors of a failed request. */
export function fieldErrors(error: unknown): Record<string, string> | undefined {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return undefined;
  const issues = ((error.body as ApiErrorBody | undefined)?.error?.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
  if (!issues?.length) return undefined;
  return Object.fromEntries(issues.map((i) => [i.path || 'root.serverError', i.message]));
}
