import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { closeInterruptedAnswers, closeOrphanedAnswer } from './chat/interruptedAnswers.js';
import { seedDefaultProvider } from './commands/providers/seedDefaultProvider.js';
import { bootstrapAdmin } from './commands/users/bootstrapAdmin.js';
import type { Config } from './config/index.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrator.js';
import { assertMasterKeyOpensStoredKeys } from './governance/keyVaultCheck.js';
import { createLogger, type Logger } from './lib/logger.js';
import { startIngestionWorker } from './ingestion/ingestionWorker.js';
import { syncDeclaredToolServers } from './tools/mcp/declaredToolServers.js';
import { workerJobs } from './workerJobs.js';
import { startWebSourceScheduler } from './websources/knowledge/webSourceSyncJob.js';
import type { JobWorker } from './jobs/worker.js';
import { attachSocketServer } from './realtime/socketServer.js';
import { createServices, type Services } from './services.js';

export interface RunningServer {
  url: string;
  services: Services;
  close(): Promise<void>;
}

/** Opens the database, applies migrations, creates the first admin, and listens. */
export async function startServer(config: Config, options: { logger?: Logger; db?: Database } = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = options.db ?? (await openDatabase(config.database));
  const { applied } = await migrate(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const services = createServices(config, db, logger);
  // Stored API keys must open with the configured master keys, or the process does not start.
  await assertMasterKeyOpensStoredKeys(services);
  if (config.firstAdmin) await bootstrapAdmin(services, config.firstAdmin, config.auth.bcryptCost, 'environment');
  if (config.defaultProvider) await seedDefaultProvider(services, config.defaultProvider);
  await services.storage.init();
  const shared = services.sharedAnswers;
  if (services.redis && !(await services.redis.connected())) logger.warn('Redis is not reachable yet; this process serves alone until it is');
  // With Redis away at start, the answers other processes write cannot be told apart: the sweep closes them later.
  const interrupted = shared && !services.redis?.up ? 0 : await closeInterruptedAnswers(services.prisma, shared && ((ids) => shared.heldConversations(ids)));
  if (interrupted) logger.warn({ interrupted }, 'answers cut off by the last shutdown marked as failed');
  await services.events.listen();
  const stopModelsListening = await services.usableModels.listen(db);
  await syncDeclaredToolServers(services);
  await shared?.start({
    abort: (conversationId) => services.generations.stop(conversationId),
    approve: (reply) => services.generations.decideHere(reply),
    orphaned: (answer) => closeOrphanedAnswer(services.prisma, answer),
    emit: (userId, event) => services.generations.emit(userId, event),
  });
  const worker: JobWorker | undefined = config.worker.inApi ? await startIngestionWorker(services, { otherJobs: await workerJobs(services) }) : undefined;
  const stopScheduler = worker ? startWebSourceScheduler(services, config.webSources.schedulerIntervalMs) : undefined;

  const httpServer = http.createServer(createApp(services));
  const io = attachSocketServer(services, httpServer);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, engine: db.engine }, 'Atrium is listening');

  return {
    url,
    services,
    async close() {
      // Answers in flight are stopped and saved (as stopped) before the database goes.
      await services.generations.stopAll();
      stopScheduler?.();
      await worker?.stop({ abort: true });
      await services.toolServers.close();
      await services.events.close();
      await stopModelsListening();
      await io.close(); // also closes the HTTP server
      httpServer.closeAllConnections();
      await shared?.close();
      await services.redis?.close();
      if (!options.db) await db.close();
    },
  };
}
