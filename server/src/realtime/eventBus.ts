import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Database } from '../db/database.js';
import type { Logger } from '../lib/logger.js';

/** Domain events the apps hear about live. */
export interface DomainEvents {
  /** A knowledge file changed status or progress; carries the presented file (assistantId: the assistant whose own base holds it). */
  'file.updated': { knowledgeBaseId: string; assistantId: string | null; file: unknown };
  /** A conversation attachment changed status or progress; carries the presented attachment, heard only by its owner. */
  'attachment.updated': { userId: string; conversationId: string; attachment: unknown };
  /** An admin saved a system setting: every process drops its cached copy. */
  'setting.changed': { key: string };
  /** Identity: an account was deactivated; every process drops its sockets and stops its answers. */
  'user.deactivated': { userId: string };
  /** A user's role, groups or password changed (no userId: several users' groups did): every process drops its cached copy (auth/accountCache.ts). */
  'user.access_changed': { userId?: string };
  /** Memory: new proposals await the user's decision (a count only; their text stays in the database). */
  'memory.proposed': { userId: string; count: number };
}

type EventName = keyof DomainEvents;
interface Envelope { origin: string; name: EventName; payload: unknown }

const CHANNEL = 'atrium_events';

/**
 * In-process events, and across processes on native Postgres: a worker
 * process publishes with NOTIFY and the API process, which holds the sockets,
 * LISTENs and re-emits. Each process ignores its own notifications.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly origin = randomUUID();
  private stopListening?: () => Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.emitter.setMaxListeners(50);
  }

  on<N extends EventName>(name: N, listener: (payload: DomainEvents[N]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  async publish<N extends EventName>(name: N, payload: DomainEvents[N]): Promise<void> {
    this.emitter.emit(name, payload);
    if (this.db.engine !== 'postgres') return;
    const message = JSON.stringify({ origin: this.origin, name, payload } satisfies Envelope);
    // NOTIFY payloads are limited to 8000 bytes; events are small presented rows.
    if (message.length < 7900) await this.db.prisma.$executeRawUnsafe('SELECT pg_notify($1, $2)', CHANNEL, message).catch(() => undefined);
  }

  /** Relays events published by other processes (the API calls this; workers need not). */
  async listen(): Promise<void> {
    if (this.db.engine !== 'postgres' || this.stopListening) return;
    this.stopListening = await this.db.listen(CHANNEL, (message) => {
      try {
        const envelope = JSON.parse(message) as Envelope;
        if (envelope.origin !== this.origin) this.emitter.emit(envelope.name, envelope.payload);
      } catch (error) {
        this.logger.warn({ err: error }, 'unreadable event notification');
      }
    });
  }

  async close(): Promise<void> {
    await this.stopListening?.();
    this.emitter.removeAllListeners();
  }
}
