import { useEffect } from 'react';
import { io } from 'socket.io-client';
import { getAccessToken } from '../session';
import type { FilesOwner, KnowledgeFile } from './types';

/**
 * Live processing progress of an assistant's own files or a base's over
 * socket.io: joins the room (`files:watch` / `knowledge-base-files:watch`) and
 * passes each `file:updated` on. The token is read at every (re)connection, so
 * a refreshed token is used.
 */
export function useFileProgress(
  owner: FilesOwner,
  onUpdate: (file: KnowledgeFile) => void,
  /** Called once watching (again, after a reconnection): reload to catch what happened meanwhile. */
  onWatching: () => void,
  onWatchError: (message: string) => void,
) {
  useEffect(() => {
    const socket = io({ path: '/socket.io', auth: (cb) => cb({ token: getAccessToken() }), transports: ['websocket', 'polling'] });
    const event = owner.kind === 'assistant' ? 'files' : 'knowledge-base-files';
    const watch = () =>
      socket.emit(`${event}:watch`, owner.id, (reply: { ok: boolean; error?: { message: string } }) => {
        if (reply.ok) onWatching();
        else onWatchError(reply.error?.message ?? 'Live progress is unavailable');
      });
    socket.on('connect', watch);
    // This socket joins one room only, so every update is for this panel.
    socket.on('file:updated', (file: KnowledgeFile) => onUpdate(file));
    return () => {
      socket.emit(`${event}:unwatch`, owner.id);
      socket.disconnect();
    };
    // The callbacks are stable state setters wrapped by the caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [owner.kind, owner.id]);
}
