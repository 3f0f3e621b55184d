import { useSyncExternalStore } from 'react';

// A few screens need no router library: /, /new/:assistantId, /c/:conversationId, /s/:shareToken ...
// The server answers every path with the app (SPA fallback), so links survive a reload.

export type Route = { name: 'home' } | { name: 'new'; assistantId: string } | { name: 'conversation'; id: string } | { name: 'tokens' } | { name: 'prompts' } | { name: 'shared'; token: string } | { name: 'sharedWithMe' } | { name: 'memory' };

export function parseRoute(pathname: string): Route {
  const conversation = /^\/c\/([0-9a-f-]{36})\/?$/i.exec(pathname);
  if (conversation) return { name: 'conversation', id: conversation[1]! };
  const fresh = /^\/new\/([0-9a-f-]{36})\/?$/i.exec(pathname);
  if (fresh) return { name: 'new', assistantId: fresh[1]! };
  if (/^\/tokens\/?$/.test(pathname)) return { name: 'tokens' };
  if (/^\/prompts\/?$/.test(pathname)) return { name: 'prompts' };
  if (/^\/memory\/?$/.test(pathname)) return { name: 'memory' };
  const shared = /^\/s\/([A-Za-z0-9_-]{20,100})\/?$/.exec(pathname);
  if (shared) return { name: 'shared', token: shared[1]! };
  if (/^\/shared\/?$/.test(pathname)) return { name: 'sharedWithMe' };
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
