import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../db/generated/client.js';

export interface ClaimedJob {
  id: bigint;
  type: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

export interface EnqueueOptions {
  /** At most one queued or running job per key; a second enqueue is a no-op. */
  dedupeKey?: string;
  maxAttempts?: number;
  runAt?: Date;
}

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Durable jobs in Postgres. Workers claim with FOR UPDATE SKIP LOCKED, so
 * several can run without taking the same job; a running job's heartbeat
 * shows it is alive, and one whose heartbeat stops (a killed worker) is put
 * back in the queue by `reclaimStale`.
 */
export class JobQueue {
  private readonly wakers = new Set<() => void>();

  constructor(private readonly prisma: PrismaClient) {}

  /** Enqueues inside the caller's transaction when one is given, so a job exists iff its row does. */
  async enqueue(type: string, payload: Prisma.InputJsonValue, options: EnqueueOptions = {}, tx?: Prisma.TransactionClient): Promise<void> {
    const db: Db = tx ?? this.prisma;
    await db.$executeRawUnsafe(
      `INSERT INTO jobs (type, payload, dedupe_key, max_attempts, run_at)
       VALUES ($1, $2::jsonb, $3, $4, COALESCE($5::timestamptz, now()))
       ON CONFLICT (dedupe_key) WHERE status IN ('queued', 'running') DO NOTHING`,
      type,
      JSON.stringify(payload),
      options.dedupeKey ?? null,
      options.maxAttempts ?? 3,
      options.runAt?.toISOString() ?? null,
    );
    this.wake();
  }

  /** Lets a local worker start at once instead of at its next poll. */
  onEnqueue(waker: () => void): () => void {
    this.wakers.add(waker);
    return () => this.wakers.delete(waker);
  }

  wake(): void {
    for (const waker of this.wakers) waker();
  }

  async claim(workerId: string, types: string[]): Promise<ClaimedJob | undefined> {
    const rows = await this.prisma.$queryRawUnsafe<{ id: bigint; type: string; payload: unknown; attempts: number; max_attempts: number }[]>(
      `UPDATE jobs SET status = 'running', locked_by = $1, locked_at = now(), heartbeat_at = now(),
              attempts = attempts + 1, updated_at = now()
        WHERE id = (SELECT id FROM jobs
                     WHERE status = 'queued' AND run_at <= now() AND type = ANY($2::text[])
                     ORDER BY run_at, id
                     FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING id, type, payload, attempts, max_attempts`,
      workerId,
      types,
    );
    const row = rows[0];
    return row && { id: row.id, type: row.type, payload: row.payload, attempts: row.attempts, maxAttempts: row.max_attempts };
  }

  /** False when the job was taken back from this worker (it must stop). */
  async heartbeat(id: bigint, workerId: string): Promise<boolean> {
    const count = await this.prisma.$executeRawUnsafe(
      `UPDATE jobs SET heartbeat_at = now() WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
      id,
      workerId,
    );
    return count === 1;
  }

  async complete(id: bigint, workerId: string): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE jobs SET status = 'done', finished_at = now(), locked_by = NULL, updated_at = now()
        WHERE id = $1 AND locked_by = $2`,
      id,
      workerId,
    );
  }

  /**
   * Records a failure. Retryable failures go back to the queue with
   * exponential backoff until the attempts run out; the rest fail for good.
   * Returns whether the job will run again.
   */
  async fail(job: ClaimedJob, workerId: string, error: string, retryable: boolean): Promise<boolean> {
    const retry = retryable && job.attempts < job.maxAttempts;
    const delaySeconds = Math.min(300, 2 ** job.attempts * 5);
    await this.prisma.$executeRawUnsafe(
      `UPDATE jobs SET status = $3::"JobStatus", last_error = $4, locked_by = NULL, updated_at = now(),
              run_at = CASE WHEN $3 = 'queued' THEN now() + make_interval(secs => $5) ELSE run_at END,
              finished_at = CASE WHEN $3 = 'failed' THEN now() ELSE NULL END
        WHERE id = $1 AND locked_by = $2`,
      job.id,
      workerId,
      retry ? 'queued' : 'failed',
      error.slice(0, 2000),
      delaySeconds,
    );
    return retry;
  }

  /** Hands a job back untouched (graceful shutdown): the attempt does not count. */
  async release(id: bigint, workerId: string): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `UPDATE jobs SET status = 'queued', locked_by = NULL, attempts = greatest(attempts - 1, 0), run_at = now(), updated_at = now()
        WHERE id = $1 AND locked_by = $2 AND status = 'running'`,
      id,
      workerId,
    );
  }

  /** Puts back running jobs whose worker stopped sending heartbeats. */
  async reclaimStale(staleAfterSeconds: number): Promise<number> {
    return this.prisma.$executeRawUnsafe(
      `UPDATE jobs SET status = 'queued', locked_by = NULL, run_at = now(), updated_at = now(),
              last_error = 'worker stopped responding; requeued'
        WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`,
      staleAfterSeconds,
    );
  }
}
