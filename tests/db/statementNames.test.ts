import { statementNames } from '../../server/src/db/statementNames.js';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import { createTestDatabase, nativeUrl, type TestDatabase } from '../support/testDb.js';

describe('prepared statement names', () => {
  it('gives one text one name, and different texts different names', () => {
    const name = statementNames();
    const select = 'SELECT "t0"."id" FROM "public"."users" AS "t0" WHERE "t0"."id" = $1';
    expect(name({ sql: select })).toMatch(/^atrium_[\w-]{20,}$/);
    expect(name({ sql: select })).toBe(name({ sql: select }));
    expect(statementNames()({ sql: select })).toBe(name({ sql: select }));
    expect(name({ sql: `${select} LIMIT $2` })).not.toBe(name({ sql: select }));
    for (const sql of ['INSERT INTO t VALUES ($1)', 'update t set a = $1', '\n  WITH x AS (SELECT 1) SELECT * FROM x', 'DELETE FROM t WHERE id = $1']) expect(name({ sql })).not.toBe('');
  });

  it('leaves schema and session statements, full-text matches and texts past the limit unnamed', () => {
    const name = statementNames(3);
    for (const sql of ['CREATE INDEX i ON t (a)', 'SET LOCAL hnsw.ef_search = 80', 'BEGIN', "SELECT id FROM chunks WHERE tsv @@ $1::tsquery"]) expect(name({ sql })).toBe('');
    for (const sql of ['SELECT 1', 'SELECT 2', 'SELECT 3']) expect(name({ sql })).not.toBe('');
    expect(name({ sql: 'SELECT 4' })).toBe(''); // three named: the limit
    expect(name({ sql: 'SELECT 1' })).not.toBe(''); // a text named before keeps its name
  });
});

// On native Postgres every repeated statement of the app goes out named: the
// connection that runs one holds it prepared (and with the setting off, none).
const native = nativeUrl ? describe : describe.skip;
native('prepared statements on native Postgres', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.drop();
  });

  const preparedHere = (db: Database) =>
    db.prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM pg_prepared_statements WHERE statement LIKE '%FROM pg_prepared_statements%'`);

  it('prepares the statements it sends, unless turned off', async () => {
    expect(await test.db.prisma.user.count({ where: { email: 'nobody@example.com' } })).toBe(0);
    const prepared = await preparedHere(test.db);
    expect(prepared.map((p) => p.name)).toEqual([expect.stringMatching(/^atrium_/)]);

    const plain = await openDatabase({ engine: 'postgres', url: test.url!, preparedStatements: false });
    try {
      expect(await preparedHere(plain)).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
