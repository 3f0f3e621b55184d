import type { Database } from '../../server/src/db/database.js';
import { migrate, migrationStatus } from '../../server/src/db/migrator.js';
import { LocalHashEmbedder } from '../../server/src/ingestion/embed/index.js';
import { vectorLiteral } from '../../server/src/ingestion/index/chunkStore.js';
import { PassageRetriever } from '../../server/src/retrieval/retrievePassages.js';
import { createEmptyDatabase, engineName } from '../support/testDb.js';

// Migration 20270101000000_knowledge_bases on a database that the release
// before knowledge bases populated: assistants with files and embedded chunks
// written with that schema's SQL. Afterwards each assistant with files has a
// base of its own, attached and read by its groups, and every chunk kept its
// row, text, vector and lexemes, and is found through the new retrieval path.

const BEFORE = '20261224000000_feedback_prompt_library';

interface ChunkSnapshot {
  id: string;
  file_id: string;
  text: string;
  /** md5 of the vector as text: equal only if every component is. */
  embedding: string;
  tsv: string;
}

describe(`knowledge bases migration on a populated database (${engineName})`, () => {
  let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let db: Database;
  const embedder = new LocalHashEmbedder(384);
  const ids = { alice: '', bob: '', sales: '', support: '', handbook: '', deletedOne: '', empty: '' };
  let before: ChunkSnapshot[] = [];
  const fileOwners = new Map<string, string>();

  beforeAll(async () => {
    empty = await createEmptyDatabase();
    db = await empty.open();
    const status = await migrate(db, undefined, { through: BEFORE });
    expect(status.pending).toContain('20270101000000_knowledge_bases');
    const sql = <T = Record<string, unknown>>(text: string, ...params: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(text, ...params);
    const one = async (text: string, ...params: unknown[]) => (await sql<{ id: string }>(text, ...params))[0]!.id;

    ids.alice = await one(`INSERT INTO users (email, name, password_hash) VALUES ('alice@example.com', 'Alice', 'x') RETURNING id::text`);
    ids.bob = await one(`INSERT INTO users (email, name, password_hash) VALUES ('bob@example.com', 'Bob', 'x') RETURNING id::text`);
    ids.sales = await one(`INSERT INTO groups (name) VALUES ('Sales') RETURNING id::text`);
    ids.support = await one(`INSERT INTO groups (name) VALUES ('Support') RETURNING id::text`);
    await sql(`INSERT INTO group_memberships (user_id, group_id) VALUES ($1::uuid, $2::uuid), ($3::uuid, $4::uuid)`, ids.alice, ids.sales, ids.bob, ids.support);

    ids.handbook = await one(`INSERT INTO assistants (name, chunk_size, updated_at) VALUES ('Handbook', 256, now()) RETURNING id::text`);
    ids.deletedOne = await one(`INSERT INTO assistants (name, deleted_at, updated_at) VALUES ('Old helpdesk', now(), now()) RETURNING id::text`);
    ids.empty = await one(`INSERT INTO assistants (name, updated_at) VALUES ('No files', now()) RETURNING id::text`);
    await sql(
      `INSERT INTO assistant_groups (assistant_id, group_id) VALUES ($1::uuid, $2::uuid), ($1::uuid, $3::uuid), ($4::uuid, $3::uuid), ($5::uuid, $2::uuid)`,
      ids.handbook, ids.sales, ids.support, ids.deletedOne, ids.empty,
    );

    const files: [string, string, string, string[]][] = [
      [ids.handbook, 'leave.txt', 'ready', ['Employees receive twenty days of paid vacation each year.', 'Unused vacation days expire at the end of March.']],
      [ids.handbook, 'travel.txt', 'ready', ['Travel is booked through the company portal at least two weeks ahead.']],
      [ids.handbook, 'draft.txt', 'embedding', ['A draft policy about bicycles that is still being indexed.']],
      [ids.deletedOne, 'printers.txt', 'ready', ['Printers on the third floor are restarted from the panel.']],
    ];
    for (const [index, [assistantId, name, status, texts]] of files.entries()) {
      const fileId = await one(
        `INSERT INTO knowledge_files (assistant_id, original_name, mime_type, size_bytes, sha256, storage_path, status, chunk_count, embedder, embedding_dim, updated_at)
         VALUES ($1::uuid, $2, 'text/plain', 100, $3, $4, $5::"FileStatus", $6, $7, 384, now()) RETURNING id::text`,
        assistantId, name, String(index).padStart(64, '0'), `${assistantId}/${name}`, status, texts.length, embedder.name,
      );
      fileOwners.set(fileId, assistantId);
      const vectors = await embedder.embed(texts, 'document');
      for (const [ordinal, text] of texts.entries()) {
        await sql(
          `INSERT INTO chunks (file_id, assistant_id, ordinal, text, token_count, section, embedder, embedding_dim, embedding)
           VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, 384, $8::vector)`,
          fileId, assistantId, ordinal, text, text.split(' ').length, ordinal === 0 ? 'Policy' : null, embedder.name, vectorLiteral(vectors[ordinal]!),
        );
      }
    }
    before = await snapshot();
    expect(before).toHaveLength(5);

    await migrate(db);
    expect((await migrationStatus(db)).pending).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await db.close();
    await empty.drop();
  });

  function snapshot() {
    return db.prisma.$queryRawUnsafe<ChunkSnapshot[]>(
      `SELECT id::text, file_id::text, text, md5(embedding::text) AS embedding, tsv::text AS tsv FROM chunks ORDER BY id`,
    );
  }

  const ownBase = (assistantId: string) => db.prisma.knowledgeBase.findUnique({ where: { assistantId }, include: { readers: true, maintainers: true, attachments: true } });

  it('gives each assistant with files a base of its own, attached to it and read and maintained by its groups', async () => {
    expect(await db.prisma.knowledgeBase.count()).toBe(2);
    const handbook = await ownBase(ids.handbook);
    expect(handbook).toMatchObject({ name: 'Handbook knowledge', language: 'english', deletedAt: null });
    expect(handbook!.readers.map((r) => r.groupId).sort()).toEqual([ids.sales, ids.support].sort());
    expect(handbook!.maintainers.map((r) => r.groupId).sort()).toEqual([ids.sales, ids.support].sort());
    expect(handbook!.attachments).toEqual([expect.objectContaining({ assistantId: ids.handbook, tags: [] })]);
    expect((await ownBase(ids.deletedOne))!.readers.map((r) => r.groupId)).toEqual([ids.support]);
    expect(await ownBase(ids.empty)).toBeNull();
  });

  it('re-points every file and chunk to its base and keeps every chunk as it was (text, vector, lexemes)', async () => {
    const files = await db.prisma.knowledgeFile.findMany({ include: { knowledgeBase: true } });
    expect(files).toHaveLength(4);
    for (const f of files) expect(f.knowledgeBase.assistantId).toBe(fileOwners.get(f.id));
    expect(await snapshot()).toEqual(before);

    const chunks = await db.prisma.$queryRawUnsafe<{ file_id: string; base_of_file: string; knowledge_base_id: string; language: string }[]>(
      `SELECT c.file_id::text, f.knowledge_base_id::text AS base_of_file, c.knowledge_base_id::text, c.language::text AS language
         FROM chunks c JOIN knowledge_files f ON f.id = c.file_id`,
    );
    expect(chunks.every((c) => c.knowledge_base_id === c.base_of_file && c.language === 'english')).toBe(true);
  });

  it('recounts the BM25 statistics per base', async () => {
    const kept = await db.prisma.$queryRawUnsafe<{ base: string; lexeme: string; n: number }[]>(
      `SELECT knowledge_base_id::text AS base, lexeme, chunk_count AS n FROM chunk_term_stats ORDER BY 1, 2`,
    );
    const recount = await db.prisma.$queryRawUnsafe<{ base: string; lexeme: string; n: number }[]>(
      `SELECT knowledge_base_id::text AS base, l AS lexeme, count(*)::int AS n FROM chunks, unnest(tsvector_to_array(tsv)) AS l GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(recount);
    const handbook = await ownBase(ids.handbook);
    const corpus = await db.prisma.chunkCorpusStat.findUnique({ where: { knowledgeBaseId: handbook!.id } });
    expect(Number(corpus!.chunkCount)).toBe(4);
  });

  it('finds the migrated chunks through retrieval, for the people who may read the base only', async () => {
    const retriever = new PassageRetriever(db, embedder, 0.2);
    const member = { id: ids.alice, role: 'user' as const, groups: new Map([[ids.sales, 'member' as const]]) };
    const outsider = { id: ids.bob, role: 'user' as const, groups: new Map<string, 'member'>() };
    const question = { assistantId: ids.handbook, query: 'How many days of paid vacation do I get each year?', topK: 3, minScore: 0.2 };

    const found = await retriever.retrieve({ ...question, reader: member });
    expect(found[0]).toMatchObject({ fileName: 'leave.txt', text: 'Employees receive twenty days of paid vacation each year.', section: 'Policy' });
    expect(found.map((p) => p.fileName)).not.toContain('draft.txt');
    const byVector = await retriever.retrieve({ ...question, reader: member, mode: 'vector', minScore: 0 });
    expect(byVector.length).toBe(3);
    expect(await retriever.retrieve({ ...question, reader: outsider })).toEqual([]);
  });

  it('keeps the indexes queries rely on', async () => {
    const indexes = await db.prisma.$queryRawUnsafe<{ indexname: string; indexdef: string }[]>(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'chunks'`);
    const byName = new Map(indexes.map((i) => [i.indexname, i.indexdef]));
    for (const dim of [256, 384, 512, 768, 1024, 1536]) expect(byName.get(`chunks_embedding_${dim}_hnsw`)).toMatch(/USING hnsw .*vector_cosine_ops.*WHERE \(embedding_dim = \d+\)/);
    expect(byName.get('chunks_knowledge_base_tsv_idx')).toMatch(/USING gin \(knowledge_base_id, tsv\)/);
    expect([...byName.keys()].filter((n) => n.includes('assistant'))).toEqual([]);
  });
});
