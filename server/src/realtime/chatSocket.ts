import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { Generation } from '../chat/generationHub.js';
import { editAndResend, regenerateAnswer, sendMessage, stopAnswer } from '../commands/conversations/askQuestion.js';
import { ownConversation } from '../commands/conversations/conversationAccess.js';
import { replyToToolApproval } from '../commands/conversations/replyToToolApproval.js';
import { AppError } from '../errors/appError.js';
import { presentChatEvent, presentConversationEvent } from '../http/presenters/chatEvent.js';
import { MessageCreate, MessageEdit } from '../http/routes/conversations/conversations.schema.js';
import type { Services } from '../services.js';
import { rooms, type SocketData } from './socketServer.js';

// Chat over socket.io: the same commands and policies as the REST routes.
// Every event of an answer goes to its user's room, so all of a user's tabs
// follow it and a reconnected socket (which rejoins the room at the
// handshake) gets the rest; chat:resume returns what it missed.

export type ChatAck = (
  result: { ok: true; decision?: 'allowed' | 'denied'; callId?: string; userMessageId?: string | null; messageId?: string; stopped?: boolean; streaming?: { messageId: string; seq: number; text: string; steps?: unknown[] } | null } | { ok: false; error: { code: string; message: string; details?: unknown } },
) => void;

export interface ChatClientEvents {
  'chat:send': (payload: { conversationId: string; content: string; parentId?: string }, ack?: ChatAck) => void;
  'chat:regenerate': (payload: { conversationId: string; messageId: string }, ack?: ChatAck) => void;
  'chat:edit': (payload: { conversationId: string; messageId: string; content: string }, ack?: ChatAck) => void;
  'chat:stop': (payload: { conversationId: string }, ack?: ChatAck) => void;
  'chat:resume': (payload: { conversationId: string }, ack?: ChatAck) => void;
  'tool:approve': (payload: { conversationId: string; messageId: string; callId: string; allow: boolean }, ack?: ChatAck) => void;
}

export interface ChatServerEvents {
  'chat:start': (payload: Record<string, unknown>) => void;
  'chat:chunk': (payload: Record<string, unknown>) => void;
  'chat:tool': (payload: Record<string, unknown>) => void;
  'chat:approval': (payload: Record<string, unknown>) => void;
  'chat:done': (payload: Record<string, unknown>) => void;
  'chat:error': (payload: Record<string, unknown>) => void;
  'conversation:updated': (payload: Record<string, unknown>) => void;
}

const ConversationRef = z.object({ conversationId: z.uuid() });
const Send = MessageCreate.safeExtend(ConversationRef.shape);
const Regenerate = ConversationRef.extend({ messageId: z.uuid() });
const Edit = MessageEdit.safeExtend(Regenerate.shape);
const Approve = Regenerate.extend({ callId: z.string().min(1).max(200), allow: z.boolean() });

type ChatSocket = Socket<ChatClientEvents, ChatServerEvents, Record<string, never>, SocketData>;

export function registerChatHandlers(s: Services, socket: ChatSocket): void {
  const { actor } = socket.data;
  const started = (generation: Generation) => ({ ok: true as const, messageId: generation.messageId });

  handle(socket, s.logger, 'chat:send', Send, async (p) => started(await sendMessage(s, actor, p)));
  handle(socket, s.logger, 'chat:regenerate', Regenerate, async (p) => started(await regenerateAnswer(s, actor, p)));
  handle(socket, s.logger, 'chat:edit', Edit, async (p) => started(await editAndResend(s, actor, p)));
  handle(socket, s.logger, 'chat:stop', ConversationRef, async (p) => {
    await ownConversation(s, actor, p.conversationId);
    return { ok: true as const, stopped: await stopAnswer(s, actor, p.conversationId) };
  });
  handle(socket, s.logger, 'tool:approve', Approve, async (p) => ({ ok: true as const, ...(await replyToToolApproval(s, actor, p)) }));
  handle(socket, s.logger, 'chat:resume', ConversationRef, async (p) => {
    await ownConversation(s, actor, p.conversationId);
    const running = await s.generations.find(p.conversationId);
    return { ok: true as const, streaming: running ? running.snapshot() : null };
  });
}

/** Fans the hub's events out to each user's sockets. Returns the unsubscribe. */
export function forwardChatEvents(s: Services, io: Server): () => void {
  return s.generations.onEvent((userId, event) => {
    if (event.type === 'conversation') io.to(rooms.user(userId)).emit('conversation:updated', presentConversationEvent(event));
    else io.to(rooms.user(userId)).emit(`chat:${event.type}`, presentChatEvent(event));
  });
}

function handle<S extends z.ZodType>(
  socket: ChatSocket,
  logger: Pick<Services['logger'], 'error'>,
  event: keyof ChatClientEvents,
  schema: S,
  run: (payload: z.infer<S>) => Promise<Parameters<ChatAck>[0]>,
): void {
  socket.on(event, (payload: unknown, ack?: ChatAck) => {
    const reply: ChatAck = typeof ack === 'function' ? ack : () => undefined;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      reply({ ok: false, error: { code: 'validation_failed', message: 'Invalid request', details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } } });
      return;
    }
    run(parsed.data).then(reply, (error: unknown) => {
      // An unexpected failure is logged here, as the REST error handler does, or it would leave no trace.
      if (!(error instanceof AppError)) logger.error({ err: error, event }, 'socket event failed');
      const e = error instanceof AppError ? error : new AppError('internal', 'Something went wrong');
      reply({ ok: false, error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } });
    });
  });
}
