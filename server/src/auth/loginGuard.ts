import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors/appError.js';

/**
 * First line against password guessing: failed logins per client IP per
 * minute. Successful logins do not count, so an office behind one NAT address
 * is not throttled. In memory with one process; in Redis when the API scales
 * out (REDIS_URL), so the budget is the same whichever process a try reaches,
 * with this process's memory standing in while Redis is away. The
 * per-account lockout lives in the database so it holds across restarts and replicas.
 */
export class LoginRateLimiter {
  private readonly limiter: RateLimiterAbstract;

  /** `attempts` names what is counted, for the refusal's message. */
  constructor(
    private readonly failuresPerMinute: number,
    private readonly attempts = 'failed logins',
    shared?: { client: Redis; keyPrefix: string },
  ) {
    const memory = new RateLimiterMemory({ points: failuresPerMinute, duration: 60 });
    this.limiter = shared
      ? new RateLimiterRedis({ storeClient: shared.client, keyPrefix: shared.keyPrefix, points: failuresPerMinute, duration: 60, insuranceLimiter: memory })
      : memory;
  }

  async assertAllowed(ip: string): Promise<void> {
    const state = await this.limiter.get(ip).catch(() => null);
    if (!state || state.consumedPoints < this.failuresPerMinute) return;
    const retryAfter = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    throw new AppError(
      'rate_limited',
      `Too many ${this.attempts} from your address; try again in ${retryAfter} seconds`,
      { retryAfterSeconds: retryAfter },
      { 'Retry-After': String(retryAfter) },
    );
  }

  async recordFailure(ip: string): Promise<void> {
    // Rejects once the budget is spent; assertAllowed reports that on the next try.
    await this.limiter.consume(ip).catch(() => undefined);
  }

  /** For attempts that count whether or not they succeed (sign-ups): refuses over budget, else counts this one. */
  async consume(ip: string): Promise<void> {
    await this.assertAllowed(ip);
    await this.recordFailure(ip);
  }
}
