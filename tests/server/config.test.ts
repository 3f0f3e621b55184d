import { ConfigError, loadConfig } from '../../server/src/config/index.js';

const base = { JWT_SECRET: 'x'.repeat(32) };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('needs only a JWT secret, and defaults to the embedded database', () => {
    const config = loadConfig(base, '/srv/atrium');
    expect(config.database).toEqual({ engine: 'pglite', dataDir: '/srv/atrium/data/pglite' });
    expect(config).toMatchObject({ port: 3000, env: 'development', corsOrigins: [], trustProxy: false, maxUploadBytes: 50 * 1024 * 1024 });
    expect(config.auth).toMatchObject({ accessTokenTtlSeconds: 900, refreshTokenTtlDays: 7, bcryptCost: 12, cookieSecure: false });
  });

  it('uses native Postgres when DATABASE_URL is set, and secure cookies in production', () => {
    const config = loadConfig({ ...base, DATABASE_URL: 'postgresql://u:p@db:5432/atrium', NODE_ENV: 'production', CORS_ORIGINS: 'https://a.example, https://b.example', TRUST_PROXY: '1' });
    expect(config.database).toEqual({ engine: 'postgres', url: 'postgresql://u:p@db:5432/atrium', preparedStatements: true });
    expect(loadConfig({ ...base, DATABASE_URL: 'postgresql://u:p@db:5432/atrium', DATABASE_PREPARED_STATEMENTS: 'false' }).database).toMatchObject({ preparedStatements: false });
    expect(config.auth.cookieSecure).toBe(true);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.trustProxy).toBe(1);
  });

  it('lists every problem at once with the variable it concerns', () => {
    const found = problems({ JWT_SECRET: 'short', PORT: 'eighty', DATABASE_URL: 'mysql://x', MASTER_KEY: 'nope', ADMIN_EMAIL: 'root@example.com', LOG_LEVEL: 'loud' });
    expect(found).toEqual(expect.arrayContaining([
      'JWT_SECRET: must be at least 32 characters',
      expect.stringMatching(/^PORT: /),
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
      expect.stringMatching(/^MASTER_KEY: must be 32 bytes encoded as base64/),
      'ADMIN_PASSWORD: is required when ADMIN_EMAIL is set',
      expect.stringMatching(/^LOG_LEVEL: /),
    ]));
    expect(problems({})).toEqual([expect.stringMatching(/^JWT_SECRET: is required/)]);
  });

  it('scales out only with Redis and a Postgres server (REDIS_URL, WEB_CONCURRENCY)', () => {
    expect(loadConfig(base).redis).toBeUndefined();
    expect(loadConfig({ ...base, REDIS_URL: '' }).redis).toBeUndefined();
    const scaled = loadConfig({ ...base, DATABASE_URL: 'postgres://db/atrium', REDIS_URL: 'redis://cache:6379', WEB_CONCURRENCY: '4' });
    expect(scaled).toMatchObject({ redis: { url: 'redis://cache:6379', prefix: 'atrium', leaseMs: 15_000 }, webConcurrency: 4 });
    expect(problems({ ...base, REDIS_URL: 'redis://cache:6379' })).toEqual([expect.stringMatching(/^DATABASE_URL: is required when REDIS_URL is set/)]);
    expect(problems({ ...base, WEB_CONCURRENCY: '2' })).toEqual([expect.stringMatching(/^WEB_CONCURRENCY: more than 1 API process needs REDIS_URL and DATABASE_URL/)]);
    expect(problems({ ...base, DATABASE_URL: 'postgres://db/atrium', REDIS_URL: 'http://cache' })).toEqual([expect.stringMatching(/^REDIS_URL: must be a redis:\/\//)]);
  });

  it('treats empty optional values as unset', () => {
    const config = loadConfig({ ...base, DATABASE_URL: '', MASTER_KEY: '', ADMIN_EMAIL: '', COOKIE_SECURE: 'false' });
    expect(config.database.engine).toBe('pglite');
    expect(config.masterKey).toBeUndefined();
    expect(config.firstAdmin).toBeUndefined();
    expect(config.auth.cookieSecure).toBe(false);
  });
});
