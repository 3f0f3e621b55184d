import { api, apiFetch } from './client.js';
import type { Memory, MemorySettings } from './types.js';

// REST calls of the Memory page: the caller's own memories under /api/v1/me.

export const fetchMemorySettings = (signal?: AbortSignal) => api<MemorySettings>('/api/v1/me/memory', { signal });
export const setMemoryEnabled = (enabled: boolean) => api<MemorySettings>('/api/v1/me/memory', { method: 'PUT', body: { enabled } });
export const fetchMemories = (signal?: AbortSignal) => api<{ data: Memory[]; proposed: number }>('/api/v1/me/memories', { signal });
export const addMemory = (text: string) => api<Memory>('/api/v1/me/memories', { method: 'POST', body: { text } });
export const updateMemory = (id: string, text: string) => api<Memory>(`/api/v1/me/memories/${id}`, { method: 'PATCH', body: { text } });
export const keepMemory = (id: string) => api<Memory>(`/api/v1/me/memories/${id}/keep`, { method: 'POST' });
export const deleteMemory = (id: string) => api<void>(`/api/v1/me/memories/${id}`, { method: 'DELETE' });
export const deleteAllMemories = () => api<{ deleted: number }>('/api/v1/me/memories', { method: 'DELETE' });

/** Downloads the export through the bearer-authenticated API and hands it to the browser as a file. */
export async function downloadMemories(format: 'json' | 'md'): Promise<void> {
  const res = await apiFetch(`/api/v1/me/memories/export?format=${format}`);
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `memory.${format}`;
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
