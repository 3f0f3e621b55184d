import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors/appError.js';

/**
 * First line against password guessing: attempts per client IP per minute.
 * Kept in memory (one server); the per-account lockout lives in the database
 * so it holds across restarts and replicas.
 */
export class LoginRateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(attemptsPerMinute: number) {
    this.limiter = new RateLimiterMemory({ points: attemptsPerMinute, duration: 60 });
  }

  async consume(ip: string): Promise<void> {
    try {
      await this.limiter.consume(ip);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new AppError(
        'rate_limited',
        `Too many login attempts; try again in ${retryAfter} seconds`,
        { retryAfterSeconds: retryAfter },
        { 'Retry-After': String(retryAfter) },
      );
    }
  }
}
