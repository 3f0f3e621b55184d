import { api } from './client.js';
import type { Conversation, ConversationShare, Page, SharedConversation, SharedWithMe } from './types.js';

// REST calls of shared conversations.

export type ShareTarget = { audience: 'user'; email: string } | { audience: 'group'; groupId: string } | { audience: 'link' };

export const fetchShares = (conversationId: string, signal?: AbortSignal) => api<{ data: ConversationShare[] }>(`/api/v1/conversations/${conversationId}/shares`, { signal });
export const createShare = (conversationId: string, target: ShareTarget) => api<ConversationShare>(`/api/v1/conversations/${conversationId}/shares`, { method: 'POST', body: target });
export const revokeShare = (id: string) => api<void>(`/api/v1/shares/${id}`, { method: 'DELETE' });
export const fetchShared = (token: string, signal?: AbortSignal) => api<SharedConversation>(`/api/v1/shared/${encodeURIComponent(token)}`, { signal });
export const continueShared = (token: string) => api<Conversation>(`/api/v1/shared/${encodeURIComponent(token)}/continue`, { method: 'POST' });
export const fetchSharedWithMe = (signal?: AbortSignal) => api<Page<SharedWithMe>>('/api/v1/me/shared-with-me?pageSize=100', { signal });
/** The caller's groups (from /me), which they may share with. */
export const fetchMyGroups = async (signal?: AbortSignal) => (await api<{ groups: { id: string; name: string }[] }>('/api/v1/me', { signal })).groups;

/** The address of a share in the chat app. */
export const shareUrl = (token: string) => `${location.origin}/s/${token}`;
