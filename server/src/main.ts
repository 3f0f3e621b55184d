import 'dotenv/config';
import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config/index.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/migrator.js';
import { assertMasterKeyOpensStoredKeys } from './governance/keyVaultCheck.js';
import { createLogger } from './lib/logger.js';
import { startServer } from './server.js';
import { startIngestionWorker } from './ingestion/ingestionWorker.js';
import { workerJobs } from './workerJobs.js';
import { startWebSourceScheduler } from './websources/knowledge/webSourceSyncJob.js';
import { createServices } from './services.js';

// Entry point: `node server/dist/main.js [api|worker|migrate]`.
async function main(role: string): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);

  if (role === 'migrate') {
    const db = await openDatabase(config.database);
    const { applied } = await migrate(db);
    logger.info({ applied, engine: db.engine }, applied.length ? 'migrations applied' : 'database is up to date');
    await db.close();
    return;
  }
  if (role !== 'api' && role !== 'worker') throw new ConfigError([`unknown role "${role}" (expected "api", "worker" or "migrate")`]);

  // WEB_CONCURRENCY > 1 (with Redis and Postgres, checked by the config): this process only supervises the API processes.
  if (role === 'api' && config.webConcurrency > 1 && cluster.isPrimary) return superviseApiProcesses(config.webConcurrency, logger);

  const server = role === 'api' ? await startServer(config, { logger }) : await startWorkerOnly(config, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * Several API processes on one port (node:cluster): the primary hands
 * connections to them; Redis shares answers, sockets and limits between them.
 * The first starts alone (migrations, first admin, default provider), the
 * others once it listens; one that dies is replaced.
 */
function superviseApiProcesses(count: number, logger: ReturnType<typeof createLogger>): void {
  let stopping = false;
  const fork = () => cluster.fork();
  const first = fork();
  first.once('listening', () => {
    for (let i = 1; i < count; i++) fork();
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.warn({ pid: worker.process.pid, code, signal }, 'API process exited; starting another');
    setTimeout(fork, 1000);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down the API processes');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    const exit = setTimeout(() => process.exit(0), 30_000);
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        clearTimeout(exit);
        process.exit(0);
      }
    }, 100);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  logger.info({ processes: count }, 'starting API processes');
}

/** A process that only processes jobs; it applies migrations too, so it can start first. */
async function startWorkerOnly(config: ReturnType<typeof loadConfig>, logger: ReturnType<typeof createLogger>) {
  if (config.database.engine === 'pglite') {
    throw new ConfigError(['DATABASE_URL: a separate worker needs native Postgres (the embedded database belongs to one process; the API runs the worker itself)']);
  }
  const db = await openDatabase(config.database);
  await migrate(db);
  const services = createServices(config, db, logger);
  // Stored API keys must open with the configured master keys, or the process does not start.
  await assertMasterKeyOpensStoredKeys(services);
  const worker = await startIngestionWorker(services, { otherJobs: await workerJobs(services) });
  const stopScheduler = startWebSourceScheduler(services, config.webSources.schedulerIntervalMs);
  logger.info({ workerId: worker.id }, 'worker started');
  return {
    async close() {
      stopScheduler();
      await worker.stop({ abort: true });
      await services.redis?.close();
      await db.close();
    },
  };
}

main(process.argv[2] ?? 'api').catch((error: unknown) => {
  // Configuration problems are the operator's to fix: say what, without a stack.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
