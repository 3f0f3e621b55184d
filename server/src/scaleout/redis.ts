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
const retryStrategy = (times: number) => Math.min(200 * times, 2000);

export class SharedRedis {
  readonly commands: Redis;
  private adapterClient: Redis | undefined;
  private lastErrorLogged = 0;

  constructor(
    readonly url: string,
    /** Every key this installation writes starts with `${prefix}:`. */
    readonly prefix: string,
    private readonly logger: Logger,
  ) {
    // Lazy: a process that never serves (a worker, a CLI command, a benchmark) opens no connection and is not kept alive by one.
    this.commands = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, connectionName: `${prefix}:commands` });
    this.commands.on('error', (error: Error) => this.logError(error));
  }

  /**
   * Created on first use (the socket server). Not lazy: the adapter awaits
   * `connect()` on its copies of a lazy client, which fails for good when
   * Redis is away at start; a connecting client queues instead.
   */
  get adapter(): Redis {
    if (!this.adapterClient) {
      this.adapterClient = new Redis(this.url, { retryStrategy, connectionName: `${this.prefix}:socket.io` });
      this.adapterClient.on('error', (error: Error) => this.logError(error));
    }
    return this.adapterClient;
  }

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** A connection of its own, for blocking reads and subscriptions (same options as `commands`, but it waits while connecting). */
  dedicated(name: string): Redis {
    const client = new Redis(this.url, { retryStrategy, maxRetriesPerRequest: null, connectionName: `${this.prefix}:${name}` });
    client.on('error', (error: Error) => this.logError(error));
    return client;
  }

  get up(): boolean {
    return this.commands.status === 'ready';
  }

  /** Connects, waiting (bounded) for the first connection, so a process that starts with Redis up serves its first request over it. */
  async connected(timeoutMs = 5000): Promise<boolean> {
    if (this.up) return true;
    // A failed first attempt is logged by the error handler; the retry strategy keeps trying.
    if (this.commands.status === 'wait') this.commands.connect().catch(() => undefined);
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
    // QUIT would wait in the offline queue for a Redis that is away.
    await Promise.all([this.commands, ...(this.adapterClient ? [this.adapterClient] : [])].map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
  }

  // While Redis is away every reconnect attempt errors; one line every 10 s says so without flooding the log.
  private logError(error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLogged < 10_000) return;
    this.lastErrorLogged = now;
    this.logger.warn({ err: error }, 'Redis unavailable; shared answers, sockets and limits degrade to this process until it returns');
  }
}
