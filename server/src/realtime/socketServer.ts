import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server } from 'socket.io';
import { actorFromToken } from '../auth/authenticate.js';
import { assistantFor } from '../commands/assistants/assistantAccess.js';
import { knowledgeBaseFor } from '../commands/knowledgeBases/knowledgeBaseAccess.js';
import { AppError } from '../errors/appError.js';
import { can } from '../policies/index.js';
import type { Actor } from '../policies/actor.js';
import type { Services } from '../services.js';
import { forwardChatEvents, registerChatHandlers, type ChatClientEvents, type ChatServerEvents } from './chatSocket.js';

type Ack = (result: { ok: boolean; error?: { code: string; message: string } }) => void;

export interface ClientEvents extends ChatClientEvents {
  'files:watch': (assistantId: string, ack?: Ack) => void;
  'files:unwatch': (assistantId: string) => void;
  'knowledge-base-files:watch': (knowledgeBaseId: string, ack?: Ack) => void;
  'knowledge-base-files:unwatch': (knowledgeBaseId: string) => void;
}

export interface ServerEvents extends ChatServerEvents {
  /** A presented KnowledgeFile (status, progress, error). */
  'file:updated': (file: unknown) => void;
  /** A presented attachment of one of the user's conversations (state, progress, error). */
  'attachment:updated': (attachment: unknown) => void;
  /** Memory: proposals await the user (how many; never their text). */
  'memory:proposed': (summary: { count: number }) => void;
}

export interface SocketData {
  actor: Actor;
}

export const rooms = {
  user: (userId: string) => `user:${userId}`,
  /** Those watching an assistant's knowledge files (managers of it, admins). */
  files: (assistantId: string) => `files:${assistantId}`,
  knowledgeBaseFiles: (knowledgeBaseId: string) => `knowledge-base-files:${knowledgeBaseId}`,
  /** Admins and managers: console events (ingestion progress, alerts). */
  console: 'console',
} as const;

/**
 * socket.io on the API's HTTP server. The access token is checked at the
 * handshake with the same code and policies as REST; a socket then joins its
 * user's room, and the console room when the policies allow.
 */
export function attachSocketServer(s: Services, httpServer: HttpServer): Server {
  const io = new Server<ClientEvents, ServerEvents, Record<string, never>, SocketData>(httpServer, {
    path: '/socket.io',
    cors: { origin: s.config.corsOrigins.length ? s.config.corsOrigins : false, credentials: true },
    serveClient: false,
    // Scale-out: events emitted to a room on any process reach the sockets every process holds.
    ...(s.redis ? { adapter: createAdapter(s.redis.adapter, { streamName: s.redis.key('socket.io'), channelPrefix: s.redis.key('socket.io'), sessionKeyPrefix: s.redis.key('sio-session:'), onlyPlaintext: true }) } : {}),
  });
  io.use((socket, next) => {
    const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
    actorFromToken(s, token)
      .then((actor) => {
        if (actor.mustChangePassword) throw new AppError('password_change_required', 'Change your temporary password first');
        socket.data.actor = actor;
        next();
      })
      .catch((error: unknown) => {
        const e = error instanceof AppError ? error : new AppError('unauthenticated', 'Authentication failed');
        next(Object.assign(new Error(e.message), { data: { code: e.code } }));
      });
  });
  io.on('connection', (socket) => {
    const { actor } = socket.data;
    void socket.join(rooms.user(actor.id));
    if (can(actor, 'console.open')) void socket.join(rooms.console);

    // The console asks to follow one assistant's own files, or one base's; the same policies as REST decide.
    const watch = (name: string, room: (id: string) => string, allowed: (id: string) => Promise<unknown>) => (id: unknown, ack?: Ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) return reply({ ok: false, error: { code: 'validation_failed', message: `${name} must be a UUID` } });
      allowed(id).then(
        () => {
          void socket.join(room(id));
          reply({ ok: true });
        },
        (error: unknown) => {
          const e = error instanceof AppError ? error : new AppError('internal', 'Could not watch these files');
          reply({ ok: false, error: { code: e.code, message: e.message } });
        },
      );
    };
    socket.on('files:watch', watch('assistantId', rooms.files, (id) => assistantFor(s, actor, id, 'assistant.manage')));
    socket.on('files:unwatch', (assistantId) => {
      if (typeof assistantId === 'string') void socket.leave(rooms.files(assistantId));
    });
    socket.on('knowledge-base-files:watch', watch('knowledgeBaseId', rooms.knowledgeBaseFiles, (id) => knowledgeBaseFor(s, actor, id, 'read')));
    socket.on('knowledge-base-files:unwatch', (knowledgeBaseId) => {
      if (typeof knowledgeBaseId === 'string') void socket.leave(rooms.knowledgeBaseFiles(knowledgeBaseId));
    });
    registerChatHandlers(s, socket);
  });

  // Domain events reach every API process (in process, or over Postgres NOTIFY from the others and the workers),
  // so each tells only the sockets it holds: through the Redis adapter every process would send each event
  // to every socket, once per API process (three copies, out of order, with three processes).
  const local = io.local;
  const stop = s.events.on('file.updated', ({ knowledgeBaseId, assistantId, file }) => {
    local.to(rooms.knowledgeBaseFiles(knowledgeBaseId)).emit('file:updated', file);
    if (assistantId) local.to(rooms.files(assistantId)).emit('file:updated', file);
  });
  // Only the conversation's owner hears about its attachments.
  const stopAttachments = s.events.on('attachment.updated', ({ userId, attachment }) => {
    local.to(rooms.user(userId)).emit('attachment:updated', attachment);
  });
  const stopChat = forwardChatEvents(s, io);
  const stopProposals = s.events.on('memory.proposed', ({ userId, count }) => {
    local.to(rooms.user(userId)).emit('memory:proposed', { count });
  });
  // Identity: a deactivated account loses its open sockets and the answers being written for it at once.
  const stopDeactivated = s.events.on('user.deactivated', ({ userId }) => {
    local.in(rooms.user(userId)).disconnectSockets(true);
    s.generations.stopForUser(userId);
  });
  io.engine.on('close', () => {
    stop();
    stopAttachments();
    stopChat();
    stopDeactivated();
    stopProposals();
  });
  return io;
}
