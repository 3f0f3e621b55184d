import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { actorFromToken } from '../auth/authenticate.js';
import { AppError } from '../errors/appError.js';
import { can } from '../policies/index.js';
import type { Actor } from '../policies/actor.js';
import type { Services } from '../services.js';

export interface SocketData {
  actor: Actor;
}

export const rooms = {
  user: (userId: string) => `user:${userId}`,
  /** Admins and managers: console events (ingestion progress, alerts). */
  console: 'console',
} as const;

/**
 * socket.io on the API's HTTP server. The access token is checked at the
 * handshake with the same code and policies as REST; a socket then joins its
 * user's room, and the console room when the policies allow.
 */
export function attachSocketServer(s: Services, httpServer: HttpServer): Server {
  const io = new Server<Record<string, never>, Record<string, never>, Record<string, never>, SocketData>(httpServer, {
    path: '/socket.io',
    cors: { origin: s.config.corsOrigins.length ? s.config.corsOrigins : false, credentials: true },
    serveClient: false,
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
  });
  return io;
}
