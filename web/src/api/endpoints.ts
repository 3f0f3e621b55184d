import { api, apiFetch, session } from './client.js';
import { ApiError } from './errors.js';
import type { Assistant, Attachment, Conversation, ConversationDetail, CreatedPersonalToken, MyUsage, Page, PersonalToken, RegisterResult, Session, SetupChecklist, SignInConfig, User } from './types.js';

// One function per REST call the chat app makes.

/** A request that needs no session (sign-in, sign-up): JSON in, JSON out, refusals as ApiError. */
async function publicCall<T>(path: string, body?: unknown, failure = 'Request failed'): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await res.json().catch(() => undefined)) as (T & { error?: { code: string; message: string; details?: unknown } }) | undefined;
  if (!res.ok) throw new ApiError(res.status, parsed?.error?.code ?? 'http_error', parsed?.error?.message ?? failure, parsed?.error?.details, Number(res.headers.get('retry-after')) || undefined);
  return parsed!;
}

export async function login(email: string, password: string): Promise<Session> {
  const next = await publicCall<Session>('/api/v1/auth/login', { email, password }, 'Sign-in failed');
  session.set(next);
  return next;
}

// Self-registration and branding (public).
export const fetchSignInConfig = () => publicCall<SignInConfig>('/api/v1/public/sign-in');
export const register = (input: { email: string; name: string; password: string }) => publicCall<RegisterResult>('/api/v1/auth/register', input, 'Sign-up failed');
export const verifyEmail = (token: string) => publicCall<{ status: 'verified' }>('/api/v1/auth/verify-email', { token }, 'Confirmation failed');

export async function logout(): Promise<void> {
  // Identity: ends a single sign-on session at the provider too, when it offers that.
  const ended = await fetch('/api/v1/auth/oidc/logout', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ returnTo: '/' }) })
    .then((res) => (res.ok ? (res.json() as Promise<{ endSessionUrl: string | null }>) : null))
    .catch(() => null);
  session.set(null, 'logout');
  if (ended?.endSessionUrl) window.location.assign(ended.endSessionUrl);
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<Session> {
  const next = await api<Session>('/api/v1/me/password', { method: 'POST', body: { currentPassword, newPassword } });
  session.set(next);
  return next;
}

export const fetchMe = (signal?: AbortSignal) => api<User>('/api/v1/me', { signal });
export const fetchAssistants = (signal?: AbortSignal) => api<Page<Assistant>>('/api/v1/assistants?pageSize=200&order=asc', { signal });
export const fetchSetupChecklist = (signal?: AbortSignal) => api<SetupChecklist>('/api/v1/setup/checklist', { signal });
export const fetchUsage = (signal?: AbortSignal) => api<MyUsage>('/api/v1/me/usage', { signal });

export function fetchConversations(
  params: { q?: string; archived?: boolean; page?: number; pageSize?: number; source?: 'chat' | 'api' | 'mcp' | 'all' },
  signal?: AbortSignal,
): Promise<Page<Conversation>> {
  const query = new URLSearchParams({ page: String(params.page ?? 1), pageSize: String(params.pageSize ?? 50), archived: String(params.archived ?? false) });
  if (params.q) query.set('q', params.q);
  if (params.source) query.set('source', params.source);
  return api<Page<Conversation>>(`/api/v1/conversations?${query}`, { signal });
}

export const fetchConversation = (id: string, signal?: AbortSignal) => api<ConversationDetail>(`/api/v1/conversations/${id}`, { signal });
export const createConversation = (assistantId: string) => api<Conversation>('/api/v1/conversations', { method: 'POST', body: { assistantId } });
export const updateConversation = (id: string, patch: { title?: string; archived?: boolean }) =>
  api<Conversation>(`/api/v1/conversations/${id}`, { method: 'PATCH', body: patch });
/** Shows another version (of a question or an answer): the thread as the server now shows it. */
export const chooseBranch = (id: string, messageId: string) => api<ConversationDetail>(`/api/v1/conversations/${id}/branch`, { method: 'PUT', body: { messageId } });
export const deleteConversation = (id: string, keepalive = false) => api<void>(`/api/v1/conversations/${id}`, { method: 'DELETE', keepalive });

/** Downloads an export through the bearer-authenticated API and hands it to the browser as a file. */
export async function downloadExport(conversation: Conversation, format: 'md' | 'json'): Promise<void> {
  const res = await apiFetch(`/api/v1/conversations/${conversation.id}/export?format=${format}`);
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `conversation.${format}`;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Avatars need the bearer token, so they are fetched as blobs and shown from an object URL. */
export async function fetchAvatar(url: string, signal?: AbortSignal): Promise<string> {
  const res = await apiFetch(url, { signal });
  return URL.createObjectURL(await res.blob());
}

// Personal access tokens (integrations).
export const fetchMyTokens = (signal?: AbortSignal) => api<{ data: PersonalToken[]; total: number }>('/api/v1/me/tokens', { signal });
export const createMyToken = (body: { name: string; expiresInDays?: number; scopes: string[] }) =>
  api<CreatedPersonalToken>('/api/v1/me/tokens', { method: 'POST', body });
export const revokeMyToken = (id: string) => api<void>(`/api/v1/me/tokens/${id}`, { method: 'DELETE' });

/** Uploads files into one of the user's conversations; refused files come back with their reasons. */
export const uploadAttachments = (conversationId: string, files: File[]) => {
  const form = new FormData();
  for (const file of files) form.append('files', file, file.name);
  return api<{ attachments: Attachment[]; rejected: { name: string; code: string; reason: string }[] }>(`/api/v1/conversations/${conversationId}/attachments`, { method: 'POST', body: form });
};

export const fetchAttachments = (conversationId: string) => api<{ data: Attachment[] }>(`/api/v1/conversations/${conversationId}/attachments`);

export const deleteAttachment = (conversationId: string, attachmentId: string) =>
  api<void>(`/api/v1/conversations/${conversationId}/attachments/${attachmentId}`, { method: 'DELETE' });

/** Saves an attachment to the user's disk (the bytes need the bearer token, so a plain link cannot fetch them). */
export async function downloadAttachment(conversationId: string, attachmentId: string, name: string): Promise<void> {
  const res = await apiFetch(`/api/v1/conversations/${conversationId}/attachments/${attachmentId}/download`);
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
