import path from 'node:path';
import { z } from 'zod';

// The only reader of process.env: everything else receives a Config.
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const verbatimString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

// `NAME=` in .env (as .env.example ships optional settings) means "not set".
const unsetWhenEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const isTimeZone = (name: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    // Off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASE_PREPARED_STATEMENTS: booleanFromEnv.default(true),
    DATA_DIR: z.string().default('./data'),
    UPLOADS_DIR: z.string().default('./uploads'),
    JWT_SECRET: z
      .string({ error: 'is required (at least 32 characters; `npm run setup` writes one to .env)' })
      .min(32, 'must be at least 32 characters'),
    MASTER_KEY: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes encoded as base64 (openssl rand -base64 32)')
        .optional(),
    ),
    // Old master keys, comma-separated, kept only while `npm run keys:rotate` re-wraps the stored API keys.
    MASTER_KEY_PREVIOUS: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'each key must be 32 bytes encoded as base64'))),
    // A default OpenAI-compatible provider, key and chat model, created at first start.
    OPENAI_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
    OPENAI_API_KEY: optionalString,
    DEFAULT_MODEL: optionalString,
    DEFAULT_MODEL_CONTEXT_WINDOW: z.coerce.number().int().min(256).max(10_000_000).default(8192),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
    // How long a signed-in user's row (role, groups, active) may be reused between requests; 0 reads it on every request.
    ACTOR_CACHE_MS: z.coerce.number().int().min(0).max(10_000).default(2000),
    // How long the list of usable chat models (for each assistant's search-mode flag) may be reused; 0 reads it on every assistant read.
    MODEL_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
    COOKIE_SECURE: z.preprocess(unsetWhenEmpty, booleanFromEnv.optional()),
    CORS_ORIGINS: z.string().default(''),
    TRUST_PROXY: z.string().default('false'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    LOGIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
    LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
    ADMIN_EMAIL: optionalString.pipe(z.email('must be an email address').optional()),
    ADMIN_PASSWORD: optionalString,
    ADMIN_NAME: z.string().default('Administrator'),
    MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(2048).default(50),
    EMBEDDER: z.enum(['local', 'openai']).default('local'),
    EMBEDDING_BASE_URL: optionalString.pipe(z.url('must be a URL').optional()),
    EMBEDDING_API_KEY: optionalString,
    EMBEDDING_MODEL: z.string().default('text-embedding-3-small'),
    EMBEDDING_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
    // Unset: the prefixes the model's card prescribes (nomic, e5, bge ...); "none" for none.
    // Verbatim, not trimmed: prefixes usually end in a space (quote the value in .env).
    EMBEDDING_QUERY_PREFIX: verbatimString,
    EMBEDDING_DOCUMENT_PREFIX: verbatimString,
    EMBEDDING_DIMENSION: z.preprocess(unsetWhenEmpty, z.coerce.number().pipe(z.union([z.literal(256), z.literal(384), z.literal(512), z.literal(768), z.literal(1024), z.literal(1536)], { error: 'must be one of 256, 384, 512, 768, 1024, 1536' })).optional()),
    RERANK_URL: optionalString.pipe(z.url('must be a URL').optional()),
    RERANK_MODEL: z.string().default('rerank'),
    RERANK_API_KEY: optionalString,
    SEMANTIC_RERANK: booleanFromEnv.default(true),
    EXTRACTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    EXTRACTION_MAX_MEMORY_MB: z.coerce.number().int().min(128).max(16_384).default(1024),
    // Chat: how long a model may stay silent (before its first token or between tokens), retries before the first token, generated titles.
    CHAT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
    CHAT_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
    CHAT_TITLES: booleanFromEnv.default(true),
    // Memory: how long after an answer its conversation is read for memory proposals (later turns join the same run).
    MEMORY_PROPOSAL_DELAY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
    // How often the worker looks for web sources whose scheduled sync is due.
    WEB_SOURCE_SCHEDULER_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    WORKER_IN_API: booleanFromEnv.default(true),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
    // Scale-out (docs/scale-out.md): several API processes share answers, sockets and limits over Redis.
    REDIS_URL: optionalString.pipe(
      z
        .string()
        .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
        .optional(),
    ),
    // Keys and streams are named under this prefix, so several installations (or test runs) can share one Redis.
    REDIS_PREFIX: z.string().trim().min(1).max(64).default('atrium'),
    // A running answer's lease: another process marks it failed when its process stops renewing it for this long.
    ANSWER_LEASE_SECONDS: z.coerce.number().int().min(2).max(300).default(15),
    // API processes `npm start` runs on this host (node:cluster); more than 1 needs REDIS_URL and DATABASE_URL.
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
    QUOTA_TIME_ZONE: z.string().trim().default('UTC').refine(isTimeZone, 'must be an IANA time zone name such as UTC or Europe/Berlin'),
    QUOTA_RESERVATION_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
    // Self-registration (the `registration` setting): sign-up attempts per address per minute; SMTP for verification mails.
    REGISTRATION_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(5),
    SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional()),
    SMTP_FROM: z.string().trim().default('Atrium <no-reply@localhost>'),
    PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
    // Identity: single sign-on with an OpenID provider (the console's saved settings take over once saved),
    // and the public URL the provider redirects back to.
    OIDC_ISSUER_URL: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_DISPLAY_NAME: z.preprocess(unsetWhenEmpty, z.string().trim().min(1).max(80).optional()),
    // Tools: MCP servers that run as commands on this host, declared here only (never from the console).
    MCP_STDIO_SERVERS: z.preprocess(unsetWhenEmpty, z.string().optional()).transform((text, ctx) => parseStdioServers(text, ctx)),
    // First run: where the setup checklist looks for a local Ollama ("off" to not look).
    OLLAMA_URL: z.preprocess(unsetWhenEmpty, z.string().trim().default('http://127.0.0.1:11434')).pipe(z.union([z.literal('off'), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL or off' })])),
  });

/** Every environment variable the server reads; tests/deploy/compose.test.ts checks each is documented in .env.example. */
export const configEnvNames: readonly string[] = Object.keys(envSchema.shape);

export type Config = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
  // Checked here rather than as a zod refinement, which would be skipped
  // whenever another variable is wrong: operators should see every problem at once.
  if (env.ADMIN_EMAIL?.trim() && !env.ADMIN_PASSWORD?.trim()) problems.push('ADMIN_PASSWORD: is required when ADMIN_EMAIL is set');
  if (env.EMBEDDER === 'openai' && !env.EMBEDDING_BASE_URL?.trim()) problems.push('EMBEDDING_BASE_URL: is required when EMBEDDER=openai');
  if (env.OPENAI_API_KEY?.trim() && !env.MASTER_KEY?.trim()) problems.push('MASTER_KEY: is required when OPENAI_API_KEY is set (the key is stored encrypted with it)');
  if (env.MASTER_KEY_PREVIOUS?.trim() && !env.MASTER_KEY?.trim()) problems.push('MASTER_KEY: is required when MASTER_KEY_PREVIOUS is set (rows are re-wrapped under it)');
  // Verification links are built from PUBLIC_URL, never from a request's Host header, which a caller controls.
  if (env.SMTP_URL?.trim() && !env.PUBLIC_URL?.trim()) problems.push('PUBLIC_URL: is required when SMTP_URL is set (verification links point there)');
  // Several processes cannot share the embedded database, which belongs to the one process that opened it.
  if (env.REDIS_URL?.trim() && !env.DATABASE_URL?.trim()) problems.push('DATABASE_URL: is required when REDIS_URL is set (processes that scale out share a Postgres server; the embedded database belongs to one process)');
  if (Number(env.WEB_CONCURRENCY ?? 1) > 1 && !(env.REDIS_URL?.trim() && env.DATABASE_URL?.trim())) problems.push('WEB_CONCURRENCY: more than 1 API process needs REDIS_URL and DATABASE_URL');
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  return toConfig(parsed.data, cwd);
}

function toConfig(env: z.infer<typeof envSchema>, cwd: string) {
  const production = env.NODE_ENV === 'production';
  return {
    env: env.NODE_ENV,
    production,
    host: env.HOST,
    port: env.PORT,
    database: env.DATABASE_URL
      ? ({ engine: 'postgres', url: env.DATABASE_URL, preparedStatements: env.DATABASE_PREPARED_STATEMENTS } as const)
      : ({ engine: 'pglite', dataDir: path.resolve(cwd, env.DATA_DIR, 'pglite') } as const),
    dataDir: path.resolve(cwd, env.DATA_DIR),
    uploadsDir: path.resolve(cwd, env.UPLOADS_DIR),
    auth: {
      jwtSecret: env.JWT_SECRET,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      actorCacheMs: env.ACTOR_CACHE_MS,
      cookieSecure: env.COOKIE_SECURE ?? production,
      bcryptCost: env.BCRYPT_COST,
      maxFailures: env.LOGIN_MAX_FAILURES,
      lockoutMinutes: env.LOGIN_LOCKOUT_MINUTES,
      loginRatePerMinute: env.LOGIN_RATE_PER_MINUTE,
    },
    masterKey: env.MASTER_KEY,
    masterKeyPrevious: env.MASTER_KEY_PREVIOUS,
    defaultProvider:
      (env.OPENAI_BASE_URL || env.OPENAI_API_KEY) && env.DEFAULT_MODEL
        ? { baseUrl: env.OPENAI_BASE_URL ?? null, apiKey: env.OPENAI_API_KEY ?? null, model: env.DEFAULT_MODEL, contextWindow: env.DEFAULT_MODEL_CONTEXT_WINDOW }
        : undefined,
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL,
    firstAdmin: env.ADMIN_EMAIL
      ? { email: env.ADMIN_EMAIL.toLowerCase(), password: env.ADMIN_PASSWORD!, name: env.ADMIN_NAME }
      : undefined,
    maxUploadBytes: env.MAX_UPLOAD_MB * 1024 * 1024,
    embedder:
      env.EMBEDDER === 'openai'
        ? ({
            kind: 'openai',
            baseUrl: env.EMBEDDING_BASE_URL!,
            apiKey: env.EMBEDDING_API_KEY ?? 'none',
            model: env.EMBEDDING_MODEL,
            dimension: env.EMBEDDING_DIMENSION ?? 1536,
            concurrency: env.EMBEDDING_CONCURRENCY,
            queryPrefix: prefixSetting(env.EMBEDDING_QUERY_PREFIX),
            documentPrefix: prefixSetting(env.EMBEDDING_DOCUMENT_PREFIX),
          } as const)
        : ({ kind: 'local', dimension: env.EMBEDDING_DIMENSION ?? 384 } as const),
    // Sentence-encoder re-scoring is tuned against the offline embedder's evidence fusion only.
    semanticRerank: env.SEMANTIC_RERANK && env.EMBEDDER !== 'openai',
    reranker: env.RERANK_URL ? { url: env.RERANK_URL, model: env.RERANK_MODEL, apiKey: env.RERANK_API_KEY } : undefined,
    extraction: { timeoutMs: env.EXTRACTION_TIMEOUT_SECONDS * 1000, maxMemoryMb: env.EXTRACTION_MAX_MEMORY_MB },
    worker: { inApi: env.WORKER_IN_API, concurrency: env.WORKER_CONCURRENCY },
    redis: env.REDIS_URL ? { url: env.REDIS_URL, prefix: env.REDIS_PREFIX, leaseMs: env.ANSWER_LEASE_SECONDS * 1000 } : undefined,
    webConcurrency: env.WEB_CONCURRENCY,
    chat: { timeoutMs: env.CHAT_TIMEOUT_SECONDS * 1000, retries: env.CHAT_RETRIES, titles: env.CHAT_TITLES, modelCacheMs: env.MODEL_CACHE_MS },
    memory: { proposalDelayMs: env.MEMORY_PROPOSAL_DELAY_SECONDS * 1000 },
    tools: { stdioServers: env.MCP_STDIO_SERVERS },
    webSources: { schedulerIntervalMs: env.WEB_SOURCE_SCHEDULER_SECONDS * 1000 },
    quotas: { timeZone: env.QUOTA_TIME_ZONE, reservationTtlMs: env.QUOTA_RESERVATION_TTL_MINUTES * 60_000 },
    registration: {
      ratePerMinute: env.REGISTRATION_RATE_PER_MINUTE,
      smtp: env.SMTP_URL ? { url: env.SMTP_URL, from: env.SMTP_FROM } : undefined,
      publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    },
    // Identity: the environment's single sign-on settings (defaults for the console's).
    oidc: {
      issuerUrl: env.OIDC_ISSUER_URL,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      displayName: env.OIDC_DISPLAY_NAME ?? 'single sign-on',
    },
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    ollamaUrl: env.OLLAMA_URL === 'off' ? undefined : env.OLLAMA_URL.replace(/\/+$/, ''),
  };
}

/** Unset: the model's own default; "none": no prefix; anything else as written. */
function prefixSetting(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value === 'none' ? '' : value;
}

// Express accepts a boolean, a hop count or a list of subnets.
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

const StdioServerDeclaration = z
  .object({
    name: z.string().trim().min(1).max(100),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
  })
  .strict();
export type StdioServerDeclaration = z.infer<typeof StdioServerDeclaration>;

/** MCP_STDIO_SERVERS: a JSON array of { name, command, args?, env?, cwd? }, names unique. */
function parseStdioServers(text: string | undefined, ctx: z.RefinementCtx): StdioServerDeclaration[] {
  if (!text) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of { "name", "command", "args", "env", "cwd" }' });
    return [];
  }
  const parsed = z.array(StdioServerDeclaration).max(50).safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `${issue.path.join('.')}: ${issue.message}` });
    return [];
  }
  const names = parsed.data.map((d) => d.name.toLowerCase());
  if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: 'two servers share a name' });
  return parsed.data;
}
