import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../server/src/app.js';
import { loadConfig, type Config } from '../../server/src/config/index.js';
import type { PrismaClient } from '../../server/src/db/database.js';
import { createLogger } from '../../server/src/lib/logger.js';
import { createServices, type Services } from '../../server/src/services.js';
import { createTestDatabase, type TestDatabase } from './testDb.js';
import { createUserRecord, DEFAULT_PASSWORD, type UserFactoryInput } from './factories.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export function testConfig(env: Record<string, string> = {}): Config {
  // Semantic re-scoring loads a 170 MB model and encodes every chunk in the background:
  // off unless a test is about it (tests/retrieval/semantic*.test.ts).
  // Tests change users and memberships straight in the database (factories), which the
  // account cache learns of only when its 2 s run out: read on every request unless a
  // test is about the cache (tests/auth/accountCache.test.ts). Likewise the usable chat
  // models, which tests also change straight in the database (tests/chat/usableModels.test.ts).
  return loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', SEMANTIC_RERANK: 'false', ACTOR_CACHE_MS: '0', MODEL_CACHE_MS: '0', ...env });
}

export interface TestApp {
  app: Express;
  services: Services;
  prisma: PrismaClient;
  database: TestDatabase;
  http: ReturnType<typeof request>;
  /** Creates a user and logs them in through the API. */
  signIn(input?: UserFactoryInput): Promise<{ user: { id: string; email: string }; token: string; cookie: string }>;
  close(): Promise<void>;
}

/** A real app over a real, isolated database; one per test file. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = testConfig(env);
  const services = createServices(config, database.db, createLogger('silent'));
  const app = createApp(services);
  const http = request(app);
  return {
    app,
    services,
    prisma: database.db.prisma,
    database,
    http,
    async signIn(input = {}) {
      const user = await createUserRecord(database.db.prisma, input);
      const res = await http.post('/api/v1/auth/login').send({ email: user.email, password: input.password ?? DEFAULT_PASSWORD });
      if (res.status !== 200) throw new Error(`login failed for ${user.email}: ${res.status} ${JSON.stringify(res.body)}`);
      return { user, token: res.body.accessToken as string, cookie: refreshCookie(res) };
    },
    close: () => database.drop(),
  };
}

/** The `atrium_refresh=...` pair from a response's Set-Cookie header. */
export function refreshCookie(res: { headers: Record<string, unknown> }): string {
  const header = res.headers['set-cookie'];
  const cookies = Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
  const found = cookies.find((c) => c.startsWith('atrium_refresh=') && !c.startsWith('atrium_refresh=;'));
  return found ? found.split(';')[0]! : '';
}
