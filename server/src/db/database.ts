import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { vector } from '@electric-sql/pglite-pgvector';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { statementNames } from './statementNames.js';
import { hnswSessionSql, hnswStartupOptions } from './vectorSearch.js';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { Config } from '../config/index.js';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient };

/** One connection held for work that needs a single session (advisory locks, migrations). */
export interface SqlSession {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<void>;
}

/**
 * One statement outside any transaction, sent straight to the driver. Prisma's
 * client spends about 0.1 ms of CPU on every statement, raw ones included,
 * where node-postgres spends 0.03 (measured in docs/scale-out.md); the
 * statements every chat answer sends use this. Rows come as the driver parses
 * them, which is not always as Prisma would: cast bigint and numeric columns
 * in the SQL, or read them with Number() or String().
 */
export type SqlQuery = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<Row[]>;

export interface Database {
  readonly engine: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  readonly query: SqlQuery;
  withSession<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** LISTENs on a channel (native Postgres: over a dedicated connection); resolves to a stop function. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type DatabaseOptions = Config['database'] | { engine: 'pglite'; dataDir?: undefined } | { engine: 'postgres'; url: string; preparedStatements?: boolean };

/**
 * Native Postgres through node-postgres when a URL is configured, otherwise an
 * embedded PGlite (WASM Postgres with pgvector) persisted to a directory, or in
 * memory when no directory is given. Both run the same SQL.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.engine === 'postgres' ? openPostgres(options.url, options.preparedStatements ?? true) : openPglite(options.dataDir);
}

async function openPostgres(url: string, preparedStatements: boolean): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000, options: hnswStartupOptions });
  // A dropped idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // One set of names for Prisma's statements and ours: a text prepared by either is known to both.
  const names = preparedStatements ? statementNames() : undefined;
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, names ? { statementNameGenerator: names } : {}) });
  return {
    engine: 'postgres',
    prisma,
    async query(sql, params = []) {
      const name = names?.({ sql });
      return (await pool.query(name ? { name, text: sql, values: params } : { text: sql, values: params })).rows;
    },
    async withSession(work) {
      const client = await pool.connect();
      try {
        return await work({
          query: async (sql, params) => (await client.query(sql, params)).rows,
          exec: async (sql) => {
            await client.query(sql);
          },
        });
      } finally {
        client.release();
      }
    },
    async listen(channel, onMessage) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => undefined);
      await client.connect();
      client.on('notification', (n) => n.channel === channel && n.payload !== undefined && onMessage(n.payload));
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      return async () => {
        await client.end().catch(() => undefined);
      };
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) await fs.mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir ?? 'memory://', { extensions: { vector, btree_gin } });
  await db.exec(hnswSessionSql);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  // PGlite has a single connection; Prisma and sessions share it in turn.
  const session: SqlSession = {
    query: async (sql, params) => (await db.query(sql, params)).rows as never,
    exec: async (sql) => {
      await db.exec(sql);
    },
  };
  return {
    engine: 'pglite',
    prisma,
    query: async (sql, params) => (await db.query(sql, params)).rows as never,
    withSession: (work) => work(session),
    // One process owns an embedded database; its own notifications (from triggers) still arrive.
    async listen(channel, onMessage) {
      const stop = await db.listen(channel, onMessage);
      return async () => {
        await stop().catch(() => undefined);
      };
    },
    async close() {
      await prisma.$disconnect();
      await db.close();
    },
  };
}
