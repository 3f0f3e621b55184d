import 'dotenv/config';
import { ConfigError, loadConfig } from './config/index.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/migrator.js';
import { createLogger } from './lib/logger.js';
import { startServer } from './server.js';

// Entry point: `node server/dist/main.js [api|migrate]`.
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
  if (role !== 'api') throw new ConfigError([`unknown role "${role}" (expected "api" or "migrate")`]);

  const server = await startServer(config, { logger });
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

main(process.argv[2] ?? 'api').catch((error: unknown) => {
  // Configuration problems are the operator's to fix: say what, without a stack.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
