import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../server/dist/db/database.js';
import { migrate } from '../../server/dist/db/migrator.js';

/**
 * A migrated database of its own for a benchmark run: a fresh native Postgres
 * database when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set, dropped
 * afterwards; otherwise an in-memory PGlite. With `keep`, the native database
 * of that name is created only if missing and never dropped, so a costly load
 * (a million chunks) serves several runs; `reused` says it already existed.
 */
export async function benchDatabase({ keep } = {}) {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) {
    if (keep) throw new Error('a kept database needs native Postgres (BENCH_DATABASE_URL)');
    const db = await openDatabase({ engine: 'pglite' });
    await migrate(db);
    return { db, engine: 'pglite', reused: false, drop: () => db.close() };
  }
  if (keep && !/^[a-z_][a-z0-9_]{0,62}$/.test(keep)) throw new Error(`not a plain database name: ${keep}`);
  const name = keep ?? `atrium_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const reused = keep ? (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0 : false;
  if (!reused) await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDatabase({ engine: 'postgres', url: url.toString(), preparedStatements: process.env.DATABASE_PREPARED_STATEMENTS !== 'false' });
  await migrate(db);
  return {
    db,
    engine: 'postgres',
    reused,
    url: url.toString(),
    async drop() {
      await db.close();
      if (keep) return;
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
