import { api } from './client.js';
import type { Feedback, FeedbackReason, Page, SavedPrompt } from './types.js';

// REST calls of the staff features: feedback on answers and the prompt library.

const feedbackPath = (conversationId: string, messageId: string) => `/api/v1/conversations/${conversationId}/messages/${messageId}/feedback`;

export const giveFeedback = (conversationId: string, messageId: string, input: { rating: 'up' | 'down'; reasons?: FeedbackReason[]; comment?: string | null }) =>
  api<Feedback>(feedbackPath(conversationId, messageId), { method: 'PUT', body: input });
export const removeFeedback = (conversationId: string, messageId: string) => api<void>(feedbackPath(conversationId, messageId), { method: 'DELETE' });

export function fetchPrompts(params: { q?: string; scope?: 'available' | 'mine' } = {}, signal?: AbortSignal): Promise<Page<SavedPrompt>> {
  const query = new URLSearchParams({ pageSize: '50', scope: params.scope ?? 'available' });
  if (params.q) query.set('q', params.q);
  return api<Page<SavedPrompt>>(`/api/v1/prompts?${query}`, { signal });
}
export const createPrompt = (input: { title: string; text: string }) => api<SavedPrompt>('/api/v1/prompts', { method: 'POST', body: input });
export const updatePrompt = (id: string, input: { title?: string; text?: string }) => api<SavedPrompt>(`/api/v1/prompts/${id}`, { method: 'PATCH', body: input });
export const deletePrompt = (id: string) => api<void>(`/api/v1/prompts/${id}`, { method: 'DELETE' });
