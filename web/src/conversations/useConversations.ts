import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { deleteConversation, fetchConversations, updateConversation } from '../api/endpoints.js';
import type { Conversation, Page } from '../api/types.js';
import { keys, updateThread } from '../chat/threadCache.js';

const SEARCH_DEBOUNCE_MS = 250;
const PAGE_SIZE = 50;
const UNDO_MS = 6000;

/** The sidebar list: the user's own conversations, archived or not, optionally searched. */
export function useConversationList(search: string, archived: boolean) {
  const [q, setQ] = useState(search);
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);
  const query = useInfiniteQuery({
    queryKey: [...keys.conversations, { q, archived }],
    queryFn: ({ signal, pageParam }) => fetchConversations({ q: q || undefined, archived, page: pageParam, pageSize: PAGE_SIZE }, signal),
    initialPageParam: 1,
    getNextPageParam: (last) => (last.page * last.pageSize < last.total ? last.page + 1 : undefined),
    placeholderData: (previous) => previous,
  });
  // A conversation that moved up while older pages loaded would show twice.
  const rows = useMemo(() => {
    const seen = new Set<string>();
    return (query.data?.pages ?? []).flatMap((p) => p.data).filter((c) => !seen.has(c.id) && seen.add(c.id));
  }, [query.data]);
  return { ...query, rows, q };
}

export function useConversationActions() {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: keys.conversations });
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: { title?: string; archived?: boolean } }) => updateConversation(id, patch),
    onSuccess: (c) => {
      updateThread(client, c.id, () => ({ title: c.title, archived: c.archived }));
      return refresh();
    },
  });
  return { rename: (id: string, title: string) => update.mutateAsync({ id, patch: { title } }), archive: (id: string, archived: boolean) => update.mutateAsync({ id, patch: { archived } }), error: update.error };
}

/**
 * Delete with undo: the row disappears at once and the DELETE is sent only
 * when the undo window has passed (or the page is being left).
 */
export function useDeleteWithUndo() {
  const client = useQueryClient();
  const [pending, setPending] = useState<Conversation | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pendingRef = useRef<Conversation | null>(null);

  const commit = () => {
    const c = pendingRef.current;
    if (timer.current) clearTimeout(timer.current);
    pendingRef.current = null;
    setPending(null);
    if (!c) return;
    // Out of every cached list now, so the row does not come back while the DELETE is on its way.
    client.setQueriesData<InfiniteData<Page<Conversation>>>({ queryKey: keys.conversations }, (list) =>
      list && { ...list, pages: list.pages.map((page) => ({ ...page, data: page.data.filter((row) => row.id !== c.id) })) },
    );
    void deleteConversation(c.id).finally(() => {
      client.removeQueries({ queryKey: keys.conversation(c.id) });
      void client.invalidateQueries({ queryKey: keys.conversations });
    });
  };

  useEffect(() => {
    const flush = () => {
      const c = pendingRef.current;
      // keepalive lets the request outlive the page; the token is still in memory here.
      if (c) void deleteConversation(c.id, true);
    };
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, []);

  return {
    pending,
    remove(c: Conversation) {
      if (pendingRef.current) commit();
      pendingRef.current = c;
      setPending(c);
      timer.current = setTimeout(commit, UNDO_MS);
    },
    undo() {
      if (timer.current) clearTimeout(timer.current);
      pendingRef.current = null;
      setPending(null);
    },
  };
}
