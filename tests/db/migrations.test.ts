import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultMigrationsDir, migrate, migrationStatus, readMigrations } from '../../server/src/db/migrator.js';
import type { Database } from '../../server/src/db/database.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';

describe(`migrations (${engineName})`, () => {
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let db: Database;

  beforeAll(async () => {
    empty = await createEmptyDatabase();
    db = await empty.open();
  });
  afterAll(async () => {
    await db.close();
    await empty.drop();
  });

  it('reports every migration pending on an empty database, applies them, then has nothing to do', async () => {
    const onDisk = (await readMigrations()).map((m) => m.name);
    expect(onDisk.length).toBeGreaterThan(0);
    expect(await migrationStatus(db)).toEqual({ applied: [], pending: onDisk });

    expect((await migrate(db)).applied).toEqual(onDisk);
    expect(await migrationStatus(db)).toEqual({ applied: onDisk, pending: [] });
    expect((await migrate(db)).applied).toEqual([]);

    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date }[]>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(onDisk);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum) && r.finished_at instanceof Date)).toBe(true);
  });

  it('installs pgvector and the indexes queries rely on', async () => {
    const ext = await db.prisma.$queryRawUnsafe<{ extname: string }[]>(`SELECT extname FROM pg_extension WHERE extname = 'vector'`);
    expect(ext).toHaveLength(1);
    const indexes = await db.prisma.$queryRawUnsafe<{ indexname: string; indexdef: string }[]>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('chunks', 'messages') ORDER BY indexname`,
    );
    const byName = new Map(indexes.map((i) => [i.indexname, i.indexdef]));
    expect(byName.get('chunks_embedding_384_hnsw')).toMatch(/USING hnsw .*vector_cosine_ops/);
    expect(byName.get('chunks_knowledge_base_tsv_idx')).toMatch(/USING gin \(knowledge_base_id, tsv\)/);
    expect(byName.get('messages_tsv_idx')).toMatch(/USING gin/);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'atrium-migrations-'));
    try {
      await fs.cp(defaultMigrationsDir, dir, { recursive: true });
      const [first] = await readMigrations(dir);
      await fs.appendFile(path.join(dir, first!.name, 'migration.sql'), '\n-- edited later\n');
      await expect(migrate(db, dir)).rejects.toThrow(/changed after it was applied/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration entirely and records nothing for it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'atrium-migrations-'));
    try {
      await fs.cp(defaultMigrationsDir, dir, { recursive: true });
      await fs.mkdir(path.join(dir, '29990101000000_broken'));
      await fs.writeFile(
        path.join(dir, '29990101000000_broken', 'migration.sql'),
        'CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";\n',
      );
      await expect(migrate(db, dir)).rejects.toThrow(/29990101000000_broken failed/);
      const table = await db.prisma.$queryRawUnsafe<{ t: string | null }[]>(`SELECT to_regclass('half_done')::text AS t`);
      expect(table[0]!.t).toBeNull();
      expect((await migrationStatus(db, dir)).pending).toEqual(['29990101000000_broken']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

// PGlite is one process's private database; concurrent starts only happen on a server.
const nativeOnly = engineName === 'postgres' ? describe : describe.skip;
nativeOnly('migrations started by several processes at once (postgres)', () => {
  it('applies each migration exactly once', async () => {
    const empty = await createEmptyDatabase();
    const dbs = await Promise.all([empty.open(), empty.open(), empty.open()]);
    try {
      const results = await Promise.all(dbs.map((d) => migrate(d)));
      const applied = results.flatMap((r) => r.applied);
      const onDisk = (await readMigrations()).map((m) => m.name);
      expect(applied.sort()).toEqual(onDisk.sort());
      const rows = await dbs[0]!.prisma.$queryRawUnsafe<{ n: bigint }[]>('SELECT count(*) AS n FROM "_prisma_migrations"');
      expect(Number(rows[0]!.n)).toBe(onDisk.length);
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
      await empty.drop();
    }
  });
});
