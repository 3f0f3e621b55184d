import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatEvent } from '../chat/chatEvents.js';
import { busyConflict, Generation, type AnswerExchange, type ApprovalReply } from '../chat/generationHub.js';
import type { Logger } from '../lib/logger.js';
import type { SharedRedis } from './redis.js';

// Answers shared between API processes over Redis (issue 17):
// - `busy:<conversation>` holds the process writing there (and, once it
//   started, the answer's id and user). It carries a lease the owner renews
//   while it writes: a process that dies stops renewing, and another marks
//   its answer failed once the lease ran out.
// - `running` (a hash, answer id → entry) lists answers being written, so a
//   sweeper can find those whose owner went away.
// - `answer:<message>` is a stream of the answer's events in order, capped,
//   expiring some minutes after the end: another process rebuilds the text
//   so far from it and follows the rest from the entry it stopped at, so a
//   client resuming there gets each event exactly once, in order.
// - `stop` is a channel: the process writing the answer stops it. `approve`
//   carries an owner's reply to an "ask first" call the same way; the writer
//   answers on a list key the asking process waits on.

const STREAM_MAX_LEN = 20_000;
/** How long an ended answer stays readable for a late resume. */
const ENDED_STREAM_TTL_SECONDS = 300;
/** A running answer's stream lives at most this long even if nobody ends it. */
const RUNNING_STREAM_TTL_SECONDS = 3600;

interface BusyValue {
  owner: string;
  messageId?: string;
  userId?: string;
}

export interface OrphanedAnswer {
  conversationId: string;
  messageId: string;
  userId: string;
}

export interface RedisAnswerHooks {
  /** Abort an answer this process writes (a stop asked elsewhere). */
  abort(conversationId: string): void;
  /** Apply an approval reply to an answer this process writes: whether the call was waiting; undefined when not written here. */
  approve(reply: ApprovalReply): boolean | undefined;
  /** Mark an answer whose process died as failed; returns the error event its clients get, or null when it had ended after all. */
  orphaned(answer: OrphanedAnswer): Promise<Extract<ChatEvent, { type: 'error' }> | null>;
  /** Sends an event to the user's sockets (any process, through the socket.io adapter). */
  emit(userId: string, event: ChatEvent): void;
}

export class RedisAnswers implements AnswerExchange {
  readonly processId = randomUUID();
  /** Conversations this process holds, with what their busy key says. */
  private readonly held = new Map<string, string>();
  private subscriber: Redis | undefined;
  private timers: NodeJS.Timeout[] = [];
  private hooks: RedisAnswerHooks | undefined;

  constructor(
    private readonly redis: SharedRedis,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  private get r(): Redis {
    return this.redis.commands;
  }

  private busyKey(conversationId: string) {
    return this.redis.key('busy', conversationId);
  }

  private streamKey(messageId: string) {
    return this.redis.key('answer', messageId);
  }

  private get runningKey() {
    return this.redis.key('running');
  }

  private get stopChannel() {
    return this.redis.key('stop');
  }

  private get approveChannel() {
    return this.redis.key('approve');
  }

  /** Listens for stop requests and starts the lease renewal and the sweep for answers whose process died. */
  async start(hooks: RedisAnswerHooks): Promise<void> {
    this.hooks = hooks;
    this.subscriber = this.redis.dedicated('stop');
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.stopChannel) return hooks.abort(message);
      if (channel === this.approveChannel) void this.answerApproval(hooks, message);
    });
    // Not awaited: with Redis away at start it is sent once Redis is there (and again after each reconnect).
    this.subscriber.subscribe(this.stopChannel, this.approveChannel).catch((error: unknown) => this.logger.warn({ err: error }, 'could not subscribe to stop and approval requests'));
    const every = Math.max(500, Math.floor(this.leaseMs / 3));
    this.timers.push(setInterval(() => void this.renew(), every).unref());
    this.timers.push(setInterval(() => void this.sweep(), every).unref());
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    const subscriber = this.subscriber;
    if (subscriber) await (subscriber.status === 'ready' ? subscriber.quit().catch(() => subscriber.disconnect()) : subscriber.disconnect());
  }

  async claim(conversationId: string): Promise<void> {
    const value = JSON.stringify({ owner: this.processId } satisfies BusyValue);
    let taken: string | null;
    try {
      taken = await this.r.set(this.busyKey(conversationId), value, 'PX', this.leaseMs, 'NX');
    } catch (error) {
      // Redis is away: this process still answers (it alone knows of the answer until Redis returns).
      this.logger.warn({ err: error, conversationId }, 'Redis unavailable: answer claimed in this process only');
      this.held.set(conversationId, value);
      return;
    }
    if (taken !== 'OK') throw busyConflict();
    this.held.set(conversationId, value);
  }

  opened(generation: Generation): void {
    const value = JSON.stringify({ owner: this.processId, messageId: generation.messageId, userId: generation.userId } satisfies BusyValue);
    this.held.set(generation.conversationId, value);
    const entry = JSON.stringify({ conversationId: generation.conversationId, userId: generation.userId, owner: this.processId });
    this.r
      .multi()
      .set(this.busyKey(generation.conversationId), value, 'PX', this.leaseMs)
      .hset(this.runningKey, generation.messageId, entry)
      .exec()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Redis unavailable: answer not shared'));
  }

  publish(generation: Generation, event: ChatEvent): void {
    const key = this.streamKey(generation.messageId);
    // One connection keeps commands in order, so the stream holds the events as they were published.
    const batch = this.r.multi().xadd(key, 'MAXLEN', '~', String(STREAM_MAX_LEN), '*', 'e', JSON.stringify(event));
    if (event.type === 'start') batch.expire(key, RUNNING_STREAM_TTL_SECONDS);
    if (event.type === 'done' || event.type === 'error') batch.expire(key, ENDED_STREAM_TTL_SECONDS).hdel(this.runningKey, generation.messageId);
    batch.exec().catch(() => undefined);
  }

  released(conversationId: string): void {
    const value = this.held.get(conversationId);
    this.held.delete(conversationId);
    if (value) void this.deleteIfHeld(this.busyKey(conversationId), value);
  }

  async running(conversationId: string): Promise<{ messageId: string; userId: string } | 'pending' | null> {
    let raw: string | null;
    try {
      raw = await this.r.get(this.busyKey(conversationId));
    } catch {
      return null;
    }
    if (!raw) return null;
    const busy = JSON.parse(raw) as BusyValue;
    return busy.messageId && busy.userId ? { messageId: busy.messageId, userId: busy.userId } : 'pending';
  }

  async mirror(conversationId: string, follow: boolean): Promise<Generation | undefined> {
    const running = await this.running(conversationId);
    if (!running || running === 'pending') return undefined;
    const key = this.streamKey(running.messageId);
    let entries: [string, string[]][];
    try {
      entries = await this.r.xrange(key, '-', '+');
    } catch {
      return undefined;
    }
    if (entries.length === 0) return undefined;
    const mirror = new Generation(conversationId, running.userId, running.messageId, () => undefined);
    let last = '0-0';
    for (const [id, fields] of entries) {
      mirror.replay(readEvent(fields));
      last = id;
    }
    if (mirror.ended || !follow) {
      mirror.close();
      return mirror;
    }
    void this.pump(mirror, key, last);
    return mirror;
  }

  async requestStop(conversationId: string): Promise<void> {
    await this.r.publish(this.stopChannel, conversationId);
  }

  async relayApproval(reply: ApprovalReply): Promise<boolean | undefined> {
    const replyKey = this.redis.key('approval-reply', randomUUID());
    const waiter = this.redis.dedicated('approval');
    try {
      await this.r.publish(this.approveChannel, JSON.stringify({ ...reply, replyKey }));
      const answer = await waiter.blpop(replyKey, 5);
      return answer ? answer[1] === '1' : undefined;
    } finally {
      waiter.disconnect();
    }
  }

  private async answerApproval(hooks: RedisAnswerHooks, message: string): Promise<void> {
    const request = JSON.parse(message) as ApprovalReply & { replyKey: string };
    const decided = hooks.approve(request);
    if (decided === undefined) return;
    await this.r.multi().rpush(request.replyKey, decided ? '1' : '0').expire(request.replyKey, 30).exec().catch(() => undefined);
  }

  /** Which of these conversations some live process holds (for the start-up sweep of answers left streaming). */
  async heldConversations(conversationIds: string[]): Promise<Set<string>> {
    if (conversationIds.length === 0) return new Set();
    const values = await this.r.mget(conversationIds.map((id) => this.busyKey(id)));
    return new Set(conversationIds.filter((_, i) => values[i] !== null));
  }

  /** Feeds a mirror the answer's later events until its end, or until nobody follows it. */
  private async pump(mirror: Generation, key: string, from: string): Promise<void> {
    const reader = this.redis.dedicated('follow');
    let last = from;
    try {
      while (!mirror.ended) {
        const reply = (await reader.xread('COUNT', 200, 'BLOCK', 2000, 'STREAMS', key, last)) as [string, [string, string[]][]][] | null;
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          mirror.replay(readEvent(fields));
          last = id;
        }
        if (!mirror.ended && !mirror.followed) break;
        // Nothing came: the stream may have gone (expired, or Redis lost it); the sweep ends an answer whose process died.
        if (!reply && !(await reader.exists(key))) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'following an answer over Redis failed');
    } finally {
      reader.disconnect();
      mirror.close();
    }
  }

  /** Renews the lease of every conversation this process holds. */
  private async renew(): Promise<void> {
    if (this.held.size === 0 || !this.redis.up) return;
    const batch = this.r.multi();
    // Renews our own claim (or takes it back after an outage let it lapse), never one another process took meanwhile.
    const renew = "local v = redis.call('GET', KEYS[1]) if v == false or v == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end return 0";
    for (const [conversationId, value] of this.held) batch.eval(renew, 1, this.busyKey(conversationId), value, String(this.leaseMs));
    await batch.exec().catch(() => undefined);
  }

  /** Marks failed the answers whose process stopped renewing their lease. */
  private async sweep(): Promise<void> {
    if (!this.hooks || !this.redis.up) return;
    try {
      const entries = await this.r.hgetall(this.runningKey);
      for (const [messageId, raw] of Object.entries(entries)) {
        const entry = JSON.parse(raw) as { conversationId: string; userId: string; owner: string };
        const busy = await this.r.get(this.busyKey(entry.conversationId));
        if (busy && (JSON.parse(busy) as BusyValue).messageId === messageId) continue;
        // Lease gone: only one process closes it.
        if ((await this.r.set(this.redis.key('closing', messageId), this.processId, 'PX', this.leaseMs, 'NX')) !== 'OK') continue;
        const event = await this.hooks.orphaned({ conversationId: entry.conversationId, messageId, userId: entry.userId });
        const key = this.streamKey(messageId);
        const batch = this.r.multi();
        if (event) batch.xadd(key, 'MAXLEN', '~', String(STREAM_MAX_LEN), '*', 'e', JSON.stringify(event)).expire(key, ENDED_STREAM_TTL_SECONDS);
        await batch.hdel(this.runningKey, messageId).exec();
        if (event) {
          this.hooks.emit(entry.userId, event);
          this.logger.warn({ messageId, conversationId: entry.conversationId, owner: entry.owner }, 'answer marked failed: the process writing it stopped');
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'sweep for answers of stopped processes failed');
    }
  }

  private async deleteIfHeld(key: string, value: string): Promise<void> {
    // Deletes only our own claim: after a lost lease another process may hold the conversation.
    await this.r.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end", 1, key, value).catch(() => undefined);
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** An event as published: rows' timestamps come back as Dates, as the presenters expect. */
function readEvent(fields: string[]): ChatEvent {
  const raw = fields[fields.indexOf('e') + 1]!;
  return JSON.parse(raw, (key, value: unknown) => (typeof value === 'string' && key.endsWith('At') && ISO_DATE.test(value) ? new Date(value) : value)) as ChatEvent;
}
