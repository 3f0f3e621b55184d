import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, SqlSession } from './database.js';

// The Prisma migrate engine cannot be downloaded on our machines, so the
// server applies prisma/migrations itself, recording each in Prisma's own
// `_prisma_migrations` table so that `prisma migrate` could take over later.

export const defaultMigrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

// Any constant works; it only has to be the same in every Atrium process.
const MIGRATION_LOCK_KEY = 7_214_031_337;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export async function readMigrations(dir = defaultMigrationsDir): Promise<Migration[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const createLedger = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

async function appliedMigrations(session: SqlSession): Promise<Map<string, string>> {
  const rows = await session.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return new Map(rows.map((r) => [r.migration_name, r.checksum]));
}

export interface MigrateOptions {
  /** Stop after this migration (by name): a database as an older release left it, for testing data migrations. */
  through?: string;
}

/**
 * Applies pending migrations, each in its own transaction. A session-level
 * advisory lock makes concurrent starts safe: the second process waits, then
 * finds nothing left to do. An applied migration whose file changed is an error.
 */
export async function migrate(db: Database, dir = defaultMigrationsDir, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const all = await readMigrations(dir);
  const migrations = options.through === undefined ? all : all.filter((m) => m.name <= options.through!);
  return db.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await session.exec(createLedger);
      const done = await appliedMigrations(session);
      const applied: string[] = [];
      for (const migration of migrations) {
        const checksum = done.get(migration.name);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new Error(`Migration ${migration.name} was changed after it was applied (checksum mismatch)`);
          }
          continue;
        }
        await applyOne(session, migration);
        applied.push(migration.name);
      }
      return { applied, pending: all.filter((m) => !done.has(m.name) && !applied.includes(m.name)).map((m) => m.name) };
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

async function applyOne(session: SqlSession, migration: Migration): Promise<void> {
  await session.exec('BEGIN');
  try {
    await session.exec(migration.sql);
    await session.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await session.exec('COMMIT');
  } catch (error) {
    await session.exec('ROLLBACK');
    throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}

/** What /api/ready reports: which migrations on disk are not applied yet. */
export async function migrationStatus(db: Database, dir = defaultMigrationsDir): Promise<MigrationStatus> {
  const migrations = await readMigrations(dir);
  return db.withSession(async (session) => {
    const exists = await session.query<{ present: boolean }>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`,
    );
    const done = exists[0]?.present ? await appliedMigrations(session) : new Map<string, string>();
    return {
      applied: migrations.filter((m) => done.has(m.name)).map((m) => m.name),
      pending: migrations.filter((m) => !done.has(m.name)).map((m) => m.name),
    };
  });
}
