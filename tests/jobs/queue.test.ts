import { JobQueue } from '../../server/src/jobs/queue.js';
import { JobWorker, type JobHandler } from '../../server/src/jobs/worker.js';
import { createLogger } from '../../server/src/lib/logger.js';
import type { Database } from '../../server/src/db/database.js';
import { createEmptyDatabase, createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';
import { migrate } from '../../server/src/db/migrator.js';

const logger = createLogger('silent');
const until = async (check: () => Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe(`job queue (${engineName})`, () => {
  let t: TestDatabase;
  let queue: JobQueue;
  beforeAll(async () => {
    t = await createTestDatabase();
    queue = new JobQueue(t.db.prisma);
  });
  afterAll(() => t.drop());
  beforeEach(async () => {
    await t.db.prisma.job.deleteMany();
  });

  const statusOf = async (dedupeKey: string) => (await t.db.prisma.job.findFirstOrThrow({ where: { dedupeKey } })).status;

  it('keeps one pending job per dedupe key', async () => {
    await queue.enqueue('t', { n: 1 }, { dedupeKey: 'k' });
    await queue.enqueue('t', { n: 2 }, { dedupeKey: 'k' });
    expect(await t.db.prisma.job.count()).toBe(1);
    const job = await queue.claim('w1', ['t']);
    await queue.complete(job!.id, 'w1');
    // Once finished, the key is free again.
    await queue.enqueue('t', { n: 3 }, { dedupeKey: 'k' });
    expect(await t.db.prisma.job.count()).toBe(2);
  });

  it('claims only ready jobs of the asked types, oldest first', async () => {
    await queue.enqueue('a', { n: 1 });
    await queue.enqueue('b', { n: 2 });
    await queue.enqueue('a', { n: 3 }, { runAt: new Date(Date.now() + 60_000) });
    const first = await queue.claim('w1', ['a']);
    expect(first).toMatchObject({ type: 'a', payload: { n: 1 }, attempts: 1 });
    expect(await queue.claim('w1', ['a'])).toBeUndefined();
  });

  it('retries retryable failures with backoff, and fails for good after the last attempt or a permanent error', async () => {
    await queue.enqueue('t', {}, { dedupeKey: 'retry', maxAttempts: 2 });
    const first = (await queue.claim('w1', ['t']))!;
    expect(await queue.fail(first, 'w1', 'upstream 503', true)).toBe(true);
    const queued = await t.db.prisma.job.findFirstOrThrow({ where: { dedupeKey: 'retry' } });
    expect(queued).toMatchObject({ status: 'queued', lastError: 'upstream 503' });
    expect(queued.runAt.getTime()).toBeGreaterThan(Date.now() + 5_000);

    await t.db.prisma.job.update({ where: { id: queued.id }, data: { runAt: new Date() } });
    const second = (await queue.claim('w1', ['t']))!;
    expect(second.attempts).toBe(2);
    expect(await queue.fail(second, 'w1', 'upstream 503 again', true)).toBe(false);
    expect(await statusOf('retry')).toBe('failed');

    await queue.enqueue('t', {}, { dedupeKey: 'permanent', maxAttempts: 5 });
    const bad = (await queue.claim('w1', ['t']))!;
    expect(await queue.fail(bad, 'w1', 'file is encrypted', false)).toBe(false);
    expect(await statusOf('permanent')).toBe('failed');
  });

  it('takes back a job whose worker stopped sending heartbeats, and the old worker can no longer finish it', async () => {
    await queue.enqueue('t', {}, { dedupeKey: 'stale' });
    const job = (await queue.claim('dead-worker', ['t']))!;
    await t.db.prisma.$executeRawUnsafe(`UPDATE jobs SET heartbeat_at = now() - interval '5 minutes' WHERE id = $1`, job.id);
    expect(await queue.reclaimStale(60)).toBe(1);
    expect(await queue.heartbeat(job.id, 'dead-worker')).toBe(false);
    const again = (await queue.claim('w2', ['t']))!;
    expect(again.id).toBe(job.id);
    await queue.complete(job.id, 'dead-worker');
    expect(await statusOf('stale')).toBe('running');
    await queue.complete(job.id, 'w2');
    expect(await statusOf('stale')).toBe('done');
  });

  it('hands a job back untouched when a worker stops gracefully', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const handler: JobHandler = {
      type: 'slow',
      run: (_payload, { signal }) => {
        started();
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
      isRetryable: () => true,
    };
    const worker = new JobWorker(queue, logger, [handler], { pollIntervalMs: 50 });
    await queue.enqueue('slow', {}, { dedupeKey: 'graceful' });
    worker.start();
    await running;
    await worker.stop({ abort: true });
    const job = await t.db.prisma.job.findFirstOrThrow({ where: { dedupeKey: 'graceful' } });
    expect(job).toMatchObject({ status: 'queued', attempts: 0, lockedBy: null });
  });
});

// Several worker processes share one queue only on a database server.
const nativeOnly = engineName === 'postgres' ? describe : describe.skip;
nativeOnly('several workers on one queue (postgres)', () => {
  it('runs every job exactly once', async () => {
    const empty = await createEmptyDatabase();
    const dbs: Database[] = await Promise.all([empty.open(), empty.open(), empty.open()]);
    await migrate(dbs[0]!);
    const runs = new Map<number, number>();
    const handler: JobHandler = {
      type: 'count',
      async run(payload) {
        const n = (payload as { n: number }).n;
        runs.set(n, (runs.get(n) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 5));
      },
      isRetryable: () => false,
    };
    const queues = dbs.map((d) => new JobQueue(d.prisma));
    for (let n = 0; n < 60; n += 1) await queues[0]!.enqueue('count', { n });
    const workers = queues.map((q) => new JobWorker(q, logger, [handler], { pollIntervalMs: 20, concurrency: 2 }));
    try {
      workers.forEach((w) => w.start());
      await until(async () => (await dbs[0]!.prisma.job.count({ where: { status: 'done' } })) === 60);
      expect([...runs.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect([...runs.values()].every((c) => c === 1)).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(dbs.map((d) => d.close()));
      await empty.drop();
    }
  });
});
