import { useSyncExternalStore } from 'react';

// Three screens need no router library: /, /new/:assistantId and /c/:conversationId.
// The server answers every path with the app (SPA fallback), so links survive a reload.

export type Route = { name: 'home' } | { name: 'new'; assistantId: string } | { name: 'conversation'; id: string } | { name: 'tokens' } | { name: 'prompts' } | { name: 'memory' };

export function parseRoute(pathname: string): Route {
  const conversation = /^\/c\/([0-9a-f-]{36})\/?$/i.exec(pathname);
  if (conversation) return { name: 'conversation', id: conversation[1]! };
  const fresh = /^\/new\/([0-9a-f-]{36})\/?$/i.exec(pathname);
  if (fresh) return { name: 'new', assistantId: fresh[1]! };
  if (/^\/tokens\/?$/.test(pathname)) return { name: 'tokens' };
  if (/^\/prompts\/?$/.test(pathname)) return { name: 'prompts' };
  if (/^\/memory\/?$/.test(pathname)) return { name: 'memory' };
  return { name: 'home' };
}

const listeners = new Set<() => void>();
const subscribe = (l: () => void) => {
  listeners.add(l);
  window.addEventListener('popstate', l);
  return () => {
    listeners.delete(l);
    window.removeEventListener('popstate', l);
  };
};

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}
