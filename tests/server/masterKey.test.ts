import { randomBytes, randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { seedDefaultProvider } from '../../server/src/commands/providers/seedDefaultProvider.js';
import { ConfigError, loadConfig } from '../../server/src/config/index.js';
import type { Database } from '../../server/src/db/database.js';
import { KeyVault, masterKeyFingerprint } from '../../server/src/governance/keyVault.js';
import { createLogger } from '../../server/src/lib/logger.js';
import { startServer } from '../../server/src/server.js';
import { createServices } from '../../server/src/services.js';
import { testConfig, TEST_SECRET } from '../support/testApp.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// The start-up rules for stored API keys, through startServer as `npm start`
// runs it, and the default provider seeded from the environment.

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const serverEnv = { PORT: '0', HOST: '127.0.0.1', WORKER_IN_API: 'false' };

/** Warnings of the last start, from the production logger. */
let warnings: string[] = [];

async function startError(db: Database, env: Record<string, string>): Promise<unknown> {
  warnings = [];
  const logger = createLogger('warn');
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (line: string) => warnings.push(JSON.parse(line).msg as string) };
  try {
    const server = await startServer(testConfig({ ...serverEnv, ...env }), { db, logger });
    await server.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe(`master key checks at start (${engineName})`, () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
  });
  afterAll(() => database.drop());

  it('starts without MASTER_KEY while no API key is stored', async () => {
    expect(await startError(db, {})).toBeUndefined();
  });

  it('refuses to start when stored keys exist and MASTER_KEY is missing or is another key', async () => {
    const provider = await db.prisma.provider.create({ data: { name: 'Stored', kind: 'openai_compatible' } });
    const id = randomUUID();
    await db.prisma.apiKey.create({ data: { id, providerId: provider.id, hint: '…', ...KeyVault.fromBase64(keyA).seal('sk-stored-000000000000', id) } });

    const missing = await startError(db, {});
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toMatch(/MASTER_KEY: is required: 1 stored API key\(s\) are encrypted with it/);

    const wrong = await startError(db, { MASTER_KEY: keyB });
    expect(wrong).toBeInstanceOf(ConfigError);
    expect((wrong as Error).message).toMatch(/MASTER_KEY: does not match the key that encrypted 1 stored API key/);
    expect((wrong as Error).message).toContain(masterKeyFingerprint(Buffer.from(keyA, 'base64')));
    expect((wrong as Error).message).toMatch(/set MASTER_KEY_PREVIOUS to the old key and run npm run keys:rotate/);
    expect((wrong as Error).message).not.toContain(keyA);
  });

  it('starts with the right key, or with the new key while the old one is in MASTER_KEY_PREVIOUS', async () => {
    expect(await startError(db, { MASTER_KEY: keyA })).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(await startError(db, { MASTER_KEY: keyB, MASTER_KEY_PREVIOUS: keyA })).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/still wrapped by a previous master key; run npm run keys:rotate/)]);
    expect(await startError(db, { MASTER_KEY: keyB, MASTER_KEY_PREVIOUS: `${randomBytes(32).toString('base64')}, ${keyA}` })).toBeUndefined();
    expect(await startError(db, { MASTER_KEY: keyA, MASTER_KEY_PREVIOUS: keyB })).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/MASTER_KEY_PREVIOUS can be removed/)]);
  });

  it('checks the configuration of the default provider and of previous keys', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ JWT_SECRET: TEST_SECRET, ...env });
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ OPENAI_API_KEY: 'sk-x', DEFAULT_MODEL: 'm' })).toEqual([expect.stringMatching(/^MASTER_KEY: is required when OPENAI_API_KEY is set/)]);
    expect(problems({ MASTER_KEY: keyA, MASTER_KEY_PREVIOUS: 'short' })).toEqual([expect.stringMatching(/^MASTER_KEY_PREVIOUS.0: each key must be 32 bytes/)]);
    expect(problems({ MASTER_KEY_PREVIOUS: keyA })).toEqual([expect.stringMatching(/^MASTER_KEY: is required when MASTER_KEY_PREVIOUS is set/)]);
    expect(problems({ OPENAI_BASE_URL: 'file:///etc/passwd' })).toEqual([expect.stringMatching(/^OPENAI_BASE_URL: must be an http\(s\) URL/)]);
    expect(loadConfig({ JWT_SECRET: TEST_SECRET, OPENAI_BASE_URL: 'http://ollama:11434/v1' }).defaultProvider).toBeUndefined();
    expect(loadConfig({ JWT_SECRET: TEST_SECRET, OPENAI_BASE_URL: 'http://ollama:11434/v1', DEFAULT_MODEL: 'llama3' }).defaultProvider).toEqual({
      baseUrl: 'http://ollama:11434/v1',
      apiKey: null,
      model: 'llama3',
      contextWindow: 8192,
    });
  });
});

describe(`default provider from the environment (${engineName})`, () => {
  let database: TestDatabase;
  let db: Database;
  const openAiKey = `sk-env-${randomBytes(12).toString('hex')}`;
  const env = { MASTER_KEY: keyA, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: openAiKey, DEFAULT_MODEL: 'gpt-env', DEFAULT_MODEL_CONTEXT_WINDOW: '32000' };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
  });
  afterAll(() => database.drop());

  it('creates provider, encrypted key and chat model once, audited as the system, across restarts and concurrent starts', async () => {
    const config = testConfig(env);
    const services = createServices(config, db, createLogger('silent'));
    // Three processes starting at once.
    const outcomes = await Promise.all([1, 2, 3].map(() => seedDefaultProvider(services, config.defaultProvider!)));
    expect(outcomes.sort()).toEqual(['created', 'exists', 'exists']);
    expect(await startError(db, env)).toBeUndefined();
    expect(await startError(db, { ...env, DEFAULT_MODEL: 'another-model' })).toBeUndefined();

    const providers = await db.prisma.provider.findMany({ include: { apiKeys: true, models: true } });
    expect(providers).toHaveLength(1);
    const [provider] = providers;
    expect(provider).toMatchObject({ name: 'Default', kind: 'openai_compatible', baseUrl: 'http://127.0.0.1:9/v1', enabled: true });
    expect(provider!.models).toEqual([expect.objectContaining({ name: 'gpt-env', kind: 'chat', contextWindow: 32000, enabled: true })]);
    expect(provider!.apiKeys).toHaveLength(1);
    const key = provider!.apiKeys[0]!;
    expect(key.hint).toBe(`sk-…${openAiKey.slice(-4)}`);
    expect(Buffer.from(key.ciphertext).toString('latin1')).not.toContain(openAiKey);
    expect(services.keyVault.open(key)).toBe(openAiKey);

    const entries = await db.prisma.auditLog.findMany({ where: { action: { in: ['provider.create', 'apiKey.create', 'model.create'] } }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => [e.action, e.actorId, (e.newValues as { source: string }).source])).toEqual([
      ['provider.create', null, 'environment'],
      ['apiKey.create', null, 'environment'],
      ['model.create', null, 'environment'],
    ]);
    expect(JSON.stringify(entries.map((e) => e.newValues))).not.toContain(openAiKey);
  });
});
