import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../server/dist/db/database.js';
import { migrate } from '../../server/dist/db/migrator.js';

/**
 * A migrated database of its own for a benchmark run: a fresh native Postgres
 * database when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set, dropped
 * afterwards; otherwise an in-memory PGlite.
 */
export async function benchDatabase() {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) {
    const db = await openDatabase({ engine: 'pglite' });
    await migrate(db);
    return { db, engine: 'pglite', drop: () => db.close() };
  }
  const name = `atrium_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDatabase({ engine: 'postgres', url: url.toString() });
  await migrate(db);
  return {
    db,
    engine: 'postgres',
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
