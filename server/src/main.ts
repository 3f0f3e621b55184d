import 'dotenv/config';
import { ConfigError, loadConfig } from './config/index.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/migrator.js';
import { assertMasterKeyOpensStoredKeys } from './governance/keyVaultCheck.js';
import { createLogger } from './lib/logger.js';
import { startServer } from './server.js';
import { startIngestionWorker } from './ingestion/ingestionWorker.js';
import { workerJobs } from './workerJobs.js';
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
  logger.info({ workerId: worker.id }, 'worker started');
  return {
    async close() {
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
