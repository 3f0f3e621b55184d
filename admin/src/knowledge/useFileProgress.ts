import { useEffect } from 'react';
import { io } from 'socket.io-client';
import { getAccessToken } from '../session';
import type { KnowledgeFile } from './types';

/**
 * Live processing progress of an assistant's files over socket.io: joins the
 * assistant's room with `files:watch` and passes each `file:updated` on.
 * The token is read at every (re)connection, so a refreshed token is used.
 */
export function useFileProgress(
  assistantId: string,
  onUpdate: (file: KnowledgeFile) => void,
  /** Called once watching (again, after a reconnection): reload to catch what happened meanwhile. */
  onWatching: () => void,
  onWatchError: (message: string) => void,
) {
  useEffect(() => {
    const socket = io({ path: '/socket.io', auth: (cb) => cb({ token: getAccessToken() }), transports: ['websocket', 'polling'] });
    const watch = () =>
      socket.emit('files:watch', assistantId, (reply: { ok: boolean; error?: { message: string } }) => {
        if (reply.ok) onWatching();
        else onWatchError(reply.error?.message ?? 'Live progress is unavailable');
      });
    socket.on('connect', watch);
    socket.on('file:updated', (file: KnowledgeFile) => {
      if (file.assistantId === assistantId) onUpdate(file);
    });
    return () => {
      socket.emit('files:unwatch', assistantId);
      socket.disconnect();
    };
    // The callbacks are stable state setters wrapped by the caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [assistantId]);
}
