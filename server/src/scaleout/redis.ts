import { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';

/**
 * The Redis connections of one process when it scales out (REDIS_URL).
 *
 * `commands` serves the request path (answer streams, busy keys, the login
 * limiter): it does not queue while Redis is away, so a request fails fast
 * and falls back instead of hanging. `adapter` feeds socket.io's streams
 * adapter, whose read loop retries at once on an error: with the offline
 * queue its reads wait for the reconnect instead of spinning.
 */
export class SharedRedis {
  readonly commands: Redis;
  readonly adapter: Redis;
  private lastErrorLogged = 0;

  constructor(
    readonly url: string,
    /** Every key this installation writes starts with `${prefix}:`. */
    readonly prefix: string,
    private readonly logger: Logger,
  ) {
    const retryStrategy = (times: number) => Math.min(200 * times, 2000);
    this.commands = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, connectionName: `${prefix}:commands` });
    this.adapter = new Redis(url, { retryStrategy, connectionName: `${prefix}:socket.io` });
    for (const client of [this.commands, this.adapter]) client.on('error', (error: Error) => this.logError(error));
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** A connection of its own, for blocking reads and subscriptions (same options as `commands`, but it waits while connecting). */
  dedicated(name: string): Redis {
    const client = new Redis(this.url, { retryStrategy: (times: number) => Math.min(200 * times, 2000), maxRetriesPerRequest: null, connectionName: `${this.prefix}:${name}` });
    client.on('error', (error: Error) => this.logError(error));
    return client;
  }

  get up(): boolean {
    return this.commands.status === 'ready';
  }

  /** Waits (bounded) for the first connection, so a process that starts with Redis up serves its first request over it. */
  async connected(timeoutMs = 5000): Promise<boolean> {
    if (this.up) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.up), timeoutMs);
      this.commands.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** For /api/ready: a round trip, bounded. */
  async ping(timeoutMs = 1000): Promise<{ ok: boolean; detail?: string }> {
    if (!this.up) return { ok: false, detail: `not connected (${this.commands.status})` };
    try {
      await Promise.race([this.commands.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no reply in time')), timeoutMs))]);
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.commands, this.adapter].map((c) => c.quit().catch(() => c.disconnect())));
  }

  // While Redis is away every reconnect attempt errors; one line every 10 s says so without flooding the log.
  private logError(error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLogged < 10_000) return;
    this.lastErrorLogged = now;
    this.logger.warn({ err: error }, 'Redis unavailable; shared answers, sockets and limits degrade to this process until it returns');
  }
}
