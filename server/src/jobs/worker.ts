import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from '../lib/logger.js';
import type { ClaimedJob, JobQueue } from './queue.js';

/** One kind of job: how to run it, and which failures are worth another attempt. */
export interface JobHandler {
  type: string;
  run(payload: unknown, context: { signal: AbortSignal; attempt: number; lastAttempt: boolean }): Promise<void>;
  isRetryable(error: unknown): boolean;
  /** Called when the job has failed for good. */
  onFailed?(payload: unknown, error: unknown): Promise<void>;
}

export interface JobWorkerOptions {
  concurrency?: number;
  pollIntervalMs?: number;
  heartbeatMs?: number;
  staleAfterSeconds?: number;
}

/**
 * Claims and runs jobs until stopped. Polls, and is also woken by local
 * enqueues. While a job runs its heartbeat is refreshed; if the queue took
 * the job back (we looked dead), the handler is aborted.
 */
export class JobWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private running = false;
  private active = new Set<Promise<void>>();
  private controllers = new Set<AbortController>();
  private sleeper?: { timer: NodeJS.Timeout; resolve: () => void };
  private loop?: Promise<void>;
  private unsubscribe?: () => void;
  private readonly options: Required<JobWorkerOptions>;

  constructor(
    private readonly queue: JobQueue,
    private readonly logger: Logger,
    handlers: JobHandler[],
    options: JobWorkerOptions = {},
  ) {
    for (const h of handlers) this.handlers.set(h.type, h);
    this.options = { concurrency: 1, pollIntervalMs: 1000, heartbeatMs: 5000, staleAfterSeconds: 60, ...options };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onEnqueue(() => this.wake());
    this.loop = this.run();
  }

  /** Stops claiming; aborts running jobs when `abort` is set, otherwise lets them finish. */
  async stop({ abort = false } = {}): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake();
    if (abort) for (const c of this.controllers) c.abort(new Error('worker stopping'));
    await this.loop;
    await Promise.allSettled([...this.active]);
  }

  private wake(): void {
    if (!this.sleeper) return;
    clearTimeout(this.sleeper.timer);
    this.sleeper.resolve();
    this.sleeper = undefined;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleeper = { timer: setTimeout(() => { this.sleeper = undefined; resolve(); }, ms), resolve };
    });
  }

  private async run(): Promise<void> {
    let lastReclaim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastReclaim > this.options.heartbeatMs) {
          lastReclaim = Date.now();
          const reclaimed = await this.queue.reclaimStale(this.options.staleAfterSeconds);
          if (reclaimed) this.logger.warn({ reclaimed }, 'requeued jobs of a stopped worker');
        }
        if (this.active.size >= this.options.concurrency) {
          await Promise.race([...this.active]);
          continue;
        }
        const job = await this.queue.claim(this.id, [...this.handlers.keys()]);
        if (!job) {
          await this.sleep(this.options.pollIntervalMs);
          continue;
        }
        const task = this.execute(job).finally(() => this.active.delete(task));
        this.active.add(task);
      } catch (error) {
        // The database may be restarting; keep going after a pause.
        this.logger.error({ err: error }, 'job loop error');
        await this.sleep(this.options.pollIntervalMs * 5);
      }
    }
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const handler = this.handlers.get(job.type)!;
    const controller = new AbortController();
    this.controllers.add(controller);
    const beat = setInterval(() => {
      this.queue.heartbeat(job.id, this.id).then(
        (mine) => mine || controller.abort(new Error('job was taken back by the queue')),
        () => undefined,
      );
    }, this.options.heartbeatMs);
    const log = this.logger.child({ jobId: job.id.toString(), type: job.type, attempt: job.attempts });
    try {
      await handler.run(job.payload, { signal: controller.signal, attempt: job.attempts, lastAttempt: job.attempts >= job.maxAttempts });
      await this.queue.complete(job.id, this.id);
      log.info('job done');
    } catch (error) {
      if (controller.signal.aborted && !this.running) {
        // Interrupted by shutdown: hand it back for the next worker, not counted as a failure.
        await this.queue.release(job.id, this.id).catch(() => undefined);
        log.warn('job interrupted by shutdown; released');
        return;
      }
      const retry = await this.queue.fail(job, this.id, (error as Error)?.message ?? String(error), handler.isRetryable(error));
      log.warn({ err: error, retry }, 'job failed');
      if (!retry) await handler.onFailed?.(job.payload, error).catch((e: unknown) => log.error({ err: e }, 'onFailed handler failed'));
    } finally {
      clearInterval(beat);
      this.controllers.delete(controller);
    }
  }
}
