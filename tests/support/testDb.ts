import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';

export interface TestDatabase {
  db: Database;
  /** Set on the native engine: the URL of this file's own database. */
  url?: string;
  drop(): Promise<void>;
}

export const nativeUrl = process.env.TEST_DATABASE_URL;
export const engineName = nativeUrl ? 'postgres' : 'pglite';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** An empty database of its own for one test file (native: created and dropped; embedded: in memory). */
export async function createEmptyDatabase(): Promise<{ open(): Promise<Database>; url?: string; drop(): Promise<void> }> {
  if (!nativeUrl) {
    return { open: () => openDatabase({ engine: 'pglite' }), drop: async () => undefined };
  }
  const name = `atrium_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: nativeUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(nativeUrl, name);
  return {
    url,
    open: () => openDatabase({ engine: 'postgres', url }),
    async drop() {
      const client = new pg.Client({ connectionString: nativeUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  const db = await empty.open();
  await migrate(db);
  return {
    db,
    url: empty.url,
    async drop() {
      await db.close();
      await empty.drop();
    },
  };
}
