import type { Request } from 'express';
import { AccessTokens } from './auth/accessTokens.js';
import { ChatModels } from './chat/chatModels.js';
import { UsableChatModels } from './chat/usableModels.js';
import { GenerationHub } from './chat/generationHub.js';
import { AccountCache } from './auth/accountCache.js';
import { actorFromToken, bearerToken, requirePasswordState } from './auth/authenticate.js';
import { actorFromPersonalToken, isPersonalToken } from './auth/personalTokens.js';
import type { TokenScope } from './integrations/tokens/tokenPolicy.js';
import { LoginRateLimiter } from './auth/loginGuard.js';
import { RefreshSessions } from './auth/refreshSessions.js';
import type { Config } from './config/index.js';
import type { Database, PrismaClient } from './db/database.js';
import { AuditLog, type RequestMeta } from './governance/auditLog.js';
import { QuotaService, UsageRecorder } from './governance/quotas/index.js';
import { KeyVault } from './governance/keyVault.js';
import type { Logger } from './lib/logger.js';
import { createSmtpMailer, type Mailer } from './lib/mailer.js';
import type { Actor } from './policies/actor.js';
import { createEmbedder, type Embedder } from './ingestion/embed/index.js';
import { KnowledgePipeline } from './ingestion/pipeline.js';
import { FileStorage } from './ingestion/upload/fileStorage.js';
import { JobQueue } from './jobs/queue.js';
import { EventBus } from './realtime/eventBus.js';
import { HttpReranker } from './retrieval/reranker.js';
import { SemanticRescorer } from './retrieval/semantic/semanticRescoring.js';
import { UniversalSentenceEncoder, type SentenceEncoder } from './retrieval/semantic/sentenceEncoder.js';
import { evidenceFusion, reciprocalRankFusion } from './retrieval/fusion.js';
import { PassageRetriever } from './retrieval/retrievePassages.js';
import { SystemSettings } from './settings/systemSettings.js';
// Identity
import { LoginTransactions } from './identity/oidc/loginTransaction.js';
import { OidcClient } from './identity/oidc/oidcClient.js';
import { SsoSettingsStore } from './identity/oidc/ssoSettings.js';
import { ScimTokens } from './identity/scim/scimTokens.js';
// Tools
import { McpToolServers } from './tools/mcp/mcpToolServers.js';
// Scale-out
import { SharedRedis } from './scaleout/redis.js';
import { RedisAnswers } from './scaleout/redisAnswers.js';

/** The long-lived parts every use case may need, built once at start. */
export interface Services {
  config: Config;
  logger: Logger;
  db: Database;
  prisma: PrismaClient;
  audit: AuditLog;
  /** Seals and opens provider API keys (MASTER_KEY, MASTER_KEY_PREVIOUS). */
  keyVault: KeyVault;
  accessTokens: AccessTokens;
  /** Users' authentication state, reused briefly between requests and dropped when it changes. */
  accounts: AccountCache;
  sessions: RefreshSessions;
  loginLimiter: LoginRateLimiter;
  storage: FileStorage;
  jobs: JobQueue;
  events: EventBus;
  /** System settings (RAG defaults, registration, branding) as they apply now, cached briefly. */
  settings: SystemSettings;
  embedder: Embedder;
  pipeline: KnowledgePipeline;
  retriever: PassageRetriever;
  /** The sentence encoder behind semantic re-scoring (SEMANTIC_RERANK), loaded on first use; absent when switched off. */
  sentenceEncoder: SentenceEncoder | undefined;
  /** Reserve before every model call, settle or release after it. */
  quotas: QuotaService;
  /** One usage_logs row per model call. */
  usage: UsageRecorder;
  /** Answers being written (stop, resume, fan-out to sockets): in this process, or in any with REDIS_URL. */
  generations: GenerationHub;
  /** Scale-out (REDIS_URL): the shared Redis, and the answers shared through it; absent with one process. */
  redis: SharedRedis | undefined;
  sharedAnswers: RedisAnswers | undefined;
  /** Each assistant's model, provider and key, cached briefly for the chat's hot path. */
  chatModels: ChatModels;
  /** The usable chat models, for the search-mode flag on every assistant read; cached per process, dropped on any change. */
  usableModels: UsableChatModels;
  /** A session's access token, or a personal access token when the route accepts `tokenScope`. */
  authenticate(req: Request, allowPasswordChange: boolean, tokenScope?: TokenScope): Promise<Actor>;
  // Self-registration: sign-ups per address per minute, and the mailer for verification links (only with SMTP_URL).
  registrationLimiter: LoginRateLimiter;
  mailer: Mailer | undefined;
  /** Identity: single sign-on settings, the OpenID relying party and its login transactions. */
  sso: { settings: SsoSettingsStore; client: OidcClient; transactions: LoginTransactions };
  /** Identity: the bearer tokens SCIM clients provision with. */
  scimTokens: ScimTokens;
  /** Tools: the MCP servers admins registered, as a client (tool lists cached briefly). */
  toolServers: McpToolServers;
}

export function createServices(config: Config, db: Database, logger: Logger): Services {
  const prisma = db.prisma;
  const audit = new AuditLog(prisma);
  const accessTokens = new AccessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
  const storage = new FileStorage(config.uploadsDir);
  const keyVault = KeyVault.fromBase64(config.masterKey, config.masterKeyPrevious);
  const events = new EventBus(db, logger);
  const accounts = new AccountCache(prisma, config.auth.actorCacheMs, events);
  const embedder = createEmbedder(config.embedder);
  const settings = new SystemSettings(prisma, events, logger);
  const sentenceEncoder = config.semanticRerank ? new UniversalSentenceEncoder() : undefined;
  const redis = config.redis && new SharedRedis(config.redis.url, config.redis.prefix, logger);
  const sharedAnswers = redis && new RedisAnswers(redis, config.redis!.leaseMs, logger);
  const reranker = config.reranker && new HttpReranker(config.reranker, (err) => logger.warn({ err }, 'reranker failed; keeping fused order'));
  return {
    config,
    logger,
    db,
    prisma,
    audit,
    keyVault,
    accessTokens,
    accounts,
    sessions: new RefreshSessions(prisma, audit, config.auth.refreshTokenTtlDays),
    loginLimiter: new LoginRateLimiter(config.auth.loginRatePerMinute, 'failed logins', redis && { client: redis.commands, keyPrefix: redis.key('login') }),
    storage,
    jobs: new JobQueue(prisma),
    events,
    settings,
    embedder,
    pipeline: new KnowledgePipeline({ prisma, storage, embedder, events, settings, logger, extraction: config.extraction }),
    retriever: new PassageRetriever(db, embedder, defaultMinScore(config.embedder.kind), {
      reranker: reranker || undefined,
      fusion: config.embedder.kind === 'openai' ? reciprocalRankFusion : evidenceFusion,
      semantic: sentenceEncoder && new SemanticRescorer(prisma, sentenceEncoder, (err) => logger.warn({ err }, 'semantic re-scoring failed; keeping fused order')),
    }),
    sentenceEncoder,
    quotas: new QuotaService(db, audit, config.quotas),
    usage: new UsageRecorder(db),
    generations: new GenerationHub(sharedAnswers),
    redis,
    sharedAnswers,
    chatModels: new ChatModels({ prisma, keyVault, audit }),
    usableModels: new UsableChatModels(prisma, config.chat.modelCacheMs),
    scimTokens: new ScimTokens(prisma),
    toolServers: new McpToolServers(keyVault, logger, config.tools.stdioServers),
    sso: { settings: new SsoSettingsStore(prisma, keyVault, config.oidc), client: new OidcClient(), transactions: new LoginTransactions(config.auth.jwtSecret) },
    async authenticate(req, allowPasswordChange, tokenScope) {
      const token = bearerToken(req);
      // Personal access tokens (integrations): a separate check, see auth/personalTokens.ts.
      if (isPersonalToken(token)) return requirePasswordState(await actorFromPersonalToken(prisma, token, tokenScope), false);
      return requirePasswordState(await actorFromToken({ prisma, accessTokens, accounts }, token), allowPasswordChange);
    },
    registrationLimiter: new LoginRateLimiter(config.registration.ratePerMinute, 'sign-up attempts', redis && { client: redis.commands, keyPrefix: redis.key('signup') }),
    mailer: config.registration.smtp && createSmtpMailer(config.registration.smtp),
  };
}

export function requestMeta(req: Request): RequestMeta {
  return { ip: req.ip, userAgent: req.get('user-agent') ?? undefined };
}

/**
 * The similarity below which a passage that shares no word with the question
 * is dropped (one that shares a word is kept whatever its similarity). 0.7
 * suits OpenAI-style embedders (SPEC). The local hashing embedder scores
 * related text much lower; its value comes from the SQuAD subset in
 * tests/fixtures/qa (bench/qa/retrievalEval.ts prints the figures): a
 * question's best unrelated passage sharing none of its words (one from
 * another article) reaches 0.14 at the median and 0.20 at the 95th
 * percentile, while the answer passage scores 0.32 at the median. At 0.2 most
 * such noise goes and no answer is lost: only 4 of 845 answer passages share
 * no word with their question, and hybrid top-1/top-5 are the same at 0.2 as
 * at 0.
 */
function defaultMinScore(kind: Config['embedder']['kind']): number {
  return kind === 'openai' ? 0.7 : 0.2;
}
