import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import type { Config } from '../config/index.js';

// The database half of a backup, per engine: native Postgres through
// pg_dump/pg_restore (custom format, consistent while the server runs), the
// embedded PGlite through its own data-directory tarball (the server must be
// stopped: an embedded database belongs to one process).
const run = promisify(execFile);
type DatabaseTarget = Config['database'];

export const databaseFileName = { postgres: 'database.pgdump', pglite: 'pglite-datadir.tar.gz' } as const;

export interface DatabaseFacts {
  serverVersion: string;
  /** Applied migrations, in order. */
  migrations: string[];
}

const factsSql = {
  version: 'SHOW server_version',
  ledger: `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`,
  migrations: `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  tables: `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`,
};

type Query = <Row>(sql: string) => Promise<Row[]>;

async function readFacts(query: Query): Promise<DatabaseFacts> {
  const [version] = await query<{ server_version: string }>(factsSql.version);
  const [ledger] = await query<{ present: boolean }>(factsSql.ledger);
  const migrations = ledger?.present ? (await query<{ migration_name: string }>(factsSql.migrations)).map((r) => r.migration_name) : [];
  return { serverVersion: version!.server_version, migrations };
}

/** libpq settings from a postgres:// URL, passed in the environment so the password never shows in a process list. */
export function libpqEnvironment(url: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = { PGHOST: u.hostname.replace(/^\[|\]$/g, ''), PGPORT: u.port || '5432', PGDATABASE: decodeURIComponent(u.pathname.slice(1)) };
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

async function runTool(tool: string, args: string[], url: string): Promise<void> {
  try {
    await run(tool, args, { env: { ...process.env, ...libpqEnvironment(url) }, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`${tool} is not installed: install the PostgreSQL client of the server's major version (Debian: postgresql-client)`);
    throw new Error(`${tool} failed: ${e.stderr?.trim() || e.message}`);
  }
}

async function withClient<T>(url: string, work: (query: Query) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(async (sql) => (await client.query(sql)).rows);
  } finally {
    await client.end();
  }
}

async function withPglite<T>(dataDir: string, work: (db: PGlite, query: Query) => Promise<T>, loadDataDir?: Blob): Promise<T> {
  const db = await PGlite.create(dataDir, { extensions: { vector, btree_gin }, ...(loadDataDir ? { loadDataDir } : {}) });
  try {
    return await work(db, async (sql) => (await db.query(sql)).rows as never);
  } finally {
    await db.close();
  }
}

/** Writes the database into `file` and says what it holds. */
export async function dumpDatabase(target: DatabaseTarget, file: string): Promise<DatabaseFacts> {
  if (target.engine === 'postgres') {
    const facts = await withClient(target.url, readFacts);
    await runTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`], target.url);
    return facts;
  }
  if (!(await isNonEmptyDir(target.dataDir))) throw new Error(`No embedded database at ${target.dataDir}: nothing to back up`);
  return withPglite(target.dataDir, async (db, query) => {
    const facts = await readFacts(query);
    const tarball = await db.dumpDataDir('gzip');
    await fs.writeFile(file, Buffer.from(await tarball.arrayBuffer()));
    return facts;
  });
}

/** True when the target has no tables (native) or no data directory (embedded) yet. */
export async function isDatabaseEmpty(target: DatabaseTarget): Promise<boolean> {
  if (target.engine === 'pglite') return !(await isNonEmptyDir(target.dataDir));
  return withClient(target.url, async (query) => (await query<{ n: number }>(factsSql.tables))[0]!.n === 0);
}

/** Removes everything from the target database (restore --force). */
export async function clearDatabase(target: DatabaseTarget): Promise<void> {
  if (target.engine === 'pglite') {
    await fs.rm(target.dataDir, { recursive: true, force: true });
    return;
  }
  await withClient(target.url, async (query) => {
    await query('DROP SCHEMA public CASCADE');
    await query('CREATE SCHEMA public');
  });
}

/** Loads a dump written by dumpDatabase into an empty target. */
export async function loadDatabase(target: DatabaseTarget, file: string): Promise<DatabaseFacts> {
  if (target.engine === 'postgres') {
    const { PGDATABASE } = libpqEnvironment(target.url);
    await runTool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${PGDATABASE}`, file], target.url);
    return withClient(target.url, readFacts);
  }
  await fs.mkdir(path.dirname(target.dataDir), { recursive: true });
  const tarball = new Blob([await fs.readFile(file)]);
  return withPglite(target.dataDir, (_db, query) => readFacts(query), tarball);
}

async function isNonEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir)).length > 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
