import { createHash } from 'node:crypto';
import type { Database, PrismaClient } from '../../server/src/db/database.js';
import { LocalHashEmbedder } from '../../server/src/ingestion/embed/index.js';
import { insertChunks } from '../../server/src/ingestion/index/chunkStore.js';
import { everyAttachedBase, type KnowledgeReader } from '../../server/src/policies/knowledgeBases.js';
import { PassageRetriever, type CandidatePool } from '../../server/src/retrieval/retrievePassages.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// What retrieval at a million chunks relies on (issue 20, bench/retrieval.bench.mjs),
// at a size CI affords: filtered vector search walks the HNSW graph past the
// rows its filter drops until top-k is full, and the two legs, run together in
// one statement, give exactly what each gives alone.
describe(`filtered and concurrent retrieval (${engineName})`, () => {
  let t: TestDatabase;
  let prisma: PrismaClient;
  const embedder = new LocalHashEmbedder(384);
  let retriever: PassageRetriever;
  let bigAssistant: string;
  let companyAssistant: string;
  let smallBase: string;
  let oneBaseReader: KnowledgeReader;

  // Repeatable text: a small vocabulary with a long tail, as in the benchmark.
  let state = 3;
  const rand = (n: number) => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0), Math.floor((state / 4294967296) * n));
  const words = Array.from({ length: 1500 }, (_, i) => `w${i.toString(36)}x${'aeiou'[i % 5]}`);
  const word = () => words[Math.floor(words.length * Math.pow(rand(1_000_000) / 1_000_000, 3))]!;
  const sentence = (n: number) => Array.from({ length: n }, word).join(' ');

  async function baseWithChunks(name: string, chunks: number) {
    const base = await prisma.knowledgeBase.create({ data: { name } });
    const texts = Array.from({ length: chunks }, () => sentence(30 + rand(30)));
    for (let start = 0; start < texts.length; start += 500) {
      const part = texts.slice(start, start + 500);
      const file = await prisma.knowledgeFile.create({
        data: { knowledgeBaseId: base.id, originalName: `${name}-${start}.txt`, mimeType: 'text/plain', sizeBytes: 1n, sha256: createHash('sha256').update(`${name}${start}`).digest('hex'), storagePath: 'x', status: 'ready' },
      });
      const vectors = await embedder.embed(part, 'document');
      await insertChunks(prisma, file, embedder, part.map((text, i) => ({ ordinal: i, text, tokenCount: text.split(' ').length, embedding: vectors[i]! })));
    }
    return { id: base.id, texts };
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    prisma = t.db.prisma;
    retriever = new PassageRetriever(t.db, embedder, 0);
    // Loaded first and indexed after, as a bulk load is (much faster than growing the graph row by row).
    await prisma.$executeRawUnsafe('DROP INDEX chunks_embedding_384_hnsw');
    // 3,600 chunks in one base, 400 in another: a search of the small base drops 90% of the graph's rows.
    const big = await baseWithChunks('big', 3600);
    const small = await baseWithChunks('small', 400);
    smallBase = small.id;
    bigAssistant = (await prisma.assistant.create({ data: { name: 'big', knowledgeBases: { create: { knowledgeBaseId: big.id } } } })).id;
    companyAssistant = (await prisma.assistant.create({ data: { name: 'company', knowledgeBases: { create: [{ knowledgeBaseId: big.id }, { knowledgeBaseId: small.id }] } } })).id;
    const group = await prisma.group.create({ data: { name: 'small readers', knowledgeBasesRead: { create: { knowledgeBaseId: small.id } } } });
    oneBaseReader = { id: '00000000-0000-0000-0000-000000000002', role: 'user', groups: new Map([[group.id, 'member']]) };
    await prisma.$executeRawUnsafe(
      'CREATE INDEX chunks_embedding_384_hnsw ON chunks USING hnsw (((embedding)::vector(384)) vector_cosine_ops) WHERE embedding_dim = 384',
    );
    await prisma.$executeRawUnsafe('ANALYZE chunks');
  }, 300_000);
  afterAll(() => t.drop());

  const ids = (pool: CandidatePool, rank: 'vectorRank' | 'textRank') =>
    pool.candidates.filter((c) => c[rank] !== undefined).sort((a, b) => a[rank]! - b[rank]!).map((c) => c.chunkId);

  /** The vector leg's statement for a search of the small base by someone who reads only it, as the retriever runs it. */
  async function vectorStatement() {
    const statements: { sql: string; params: unknown[] }[] = [];
    const db = t.db as { query: Database['query'] };
    const original = db.query;
    db.query = ((sql: string, params: unknown[] = []) => {
      statements.push({ sql, params });
      return original(sql, params);
    }) as Database['query'];
    try {
      const pool = await retriever.candidatePool({ assistantId: companyAssistant, reader: oneBaseReader, query: sentence(6), mode: 'vector', candidates: 40 });
      return { pool, ...statements.find((s) => s.sql.includes('nearest AS'))! };
    } finally {
      db.query = original;
    }
  }

  /**
   * Runs a statement where the HNSW graph is the only way in, as at a million
   * chunks where the planner prefers it to sorting the base's rows (here the
   * base is small enough to sort, which fills top-k trivially): the indexes
   * that find the base's rows are dropped inside a transaction that is then
   * rolled back.
   */
  async function throughTheGraphOnly(sql: string, params: unknown[], settings: Record<string, string>) {
    const rollback = new Error('rollback');
    let outcome: { plan: string; rows: { chunk_id: bigint }[] } | undefined;
    await prisma
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe('DROP INDEX chunks_knowledge_base_id_idx');
        await tx.$executeRawUnsafe('DROP INDEX chunks_knowledge_base_tsv_idx');
        for (const [name, value] of Object.entries({ enable_seqscan: 'off', ...settings })) await tx.$queryRawUnsafe(`SELECT set_config($1, $2, true)`, name, value);
        const plan = (await tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, ...params)).map((r) => r['QUERY PLAN']).join('\n');
        outcome = { plan, rows: await tx.$queryRawUnsafe(sql, ...params) };
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    return outcome!;
  }

  it('fills the vector list when the reader’s filter drops 90% of the rows', async () => {
    const { pool } = await vectorStatement();
    expect(ids(pool, 'vectorRank')).toHaveLength(40);
    const bases = await prisma.chunk.findMany({ where: { id: { in: pool.candidates.map((c) => BigInt(c.chunkId)) } }, select: { knowledgeBaseId: true } });
    expect(new Set(bases.map((b) => b.knowledgeBaseId))).toEqual(new Set([smallBase]));
  });

  it('fills it through the HNSW graph too, by iterative scans: without them the same search comes back short', async () => {
    const { sql, params } = await vectorStatement();
    const iterative = await throughTheGraphOnly(sql, params, {});
    expect(iterative.plan).toContain('chunks_embedding_384_hnsw');
    expect(iterative.rows).toHaveLength(40);
    const plain = await throughTheGraphOnly(sql, params, { 'hnsw.iterative_scan': 'off' });
    expect(plain.plan).toContain('chunks_embedding_384_hnsw');
    // ef_search (80) nearest neighbours of the whole graph, of which about a tenth are the small base's.
    expect(plain.rows.length).toBeLessThan(30);
  });

  it('runs both legs at once and gets exactly what each leg gets alone, for every question', async () => {
    for (let i = 0; i < 8; i++) {
      const query = sentence(3 + (i % 5));
      for (const [assistantId, reader] of [[bigAssistant, everyAttachedBase], [companyAssistant, oneBaseReader], [companyAssistant, everyAttachedBase]] as const) {
        const request = { assistantId, reader, query, candidates: 40 };
        const [hybrid, vectorAlone, textAlone] = await Promise.all([
          retriever.candidatePool({ ...request, mode: 'hybrid' }),
          retriever.candidatePool({ ...request, mode: 'vector' }),
          retriever.candidatePool({ ...request, mode: 'text' }),
        ]);
        expect(ids(hybrid, 'vectorRank')).toEqual(ids(vectorAlone, 'vectorRank'));
        expect(ids(hybrid, 'textRank')).toEqual(ids(textAlone, 'textRank'));
        expect(ids(hybrid, 'vectorRank').length).toBe(40);
        // And the passages returned are the fused order of that pool.
        const passages = await retriever.retrieve({ ...request, topK: 5, minScore: 0 });
        expect(passages.map((p) => p.chunkId)).toEqual(retriever.rank(hybrid, { mode: 'hybrid', minScore: 0, topK: 5 }).map((p) => p.chunkId));
      }
    }
  });
});
