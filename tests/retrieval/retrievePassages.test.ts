import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../server/src/db/database.js';
import { LocalHashEmbedder } from '../../server/src/ingestion/embed/index.js';
import { clearFileChunks, insertChunks } from '../../server/src/ingestion/index/chunkStore.js';
import { candidateTsQuery, type QueryTerm } from '../../server/src/retrieval/queryTerms.js';
import { everyAttachedBase } from '../../server/src/policies/knowledgeBases.js';
import { PassageRetriever, type CandidatePool } from '../../server/src/retrieval/retrievePassages.js';
import { ownKnowledgeBaseRecord } from '../support/factories.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// The full-text leg's corpus statistics (kept by triggers on chunks) and the
// retriever's contract: attached-base and status filtering, the threshold, and
// ranking that prefers the question's words together over the same words apart.
describe(`passage retrieval (${engineName})`, () => {
  let t: TestDatabase;
  let prisma: PrismaClient;
  const embedder = new LocalHashEmbedder(384);
  let retriever: PassageRetriever;

  beforeAll(async () => {
    t = await createTestDatabase();
    prisma = t.db.prisma;
    retriever = new PassageRetriever(t.db, embedder, 0.2);
  });
  // Every attached base: who may read which is tested in tests/retrieval/knowledgeBases.test.ts.
  const reader = everyAttachedBase;
  afterAll(() => t.drop());

  async function assistant(name = 'A') {
    return prisma.assistant.create({ data: { name } });
  }

  /** A file of the assistant's own base, its chunks stored as `indexedBy` names them (another name: vectors awaiting re-embedding). */
  async function file(assistantId: string, texts: string[], status: 'ready' | 'embedding' = 'ready', indexedBy: { name: string; dimension: number } = embedder) {
    const { id: knowledgeBaseId } = await ownKnowledgeBaseRecord(prisma, assistantId);
    const f = await prisma.knowledgeFile.create({
      data: { knowledgeBaseId, originalName: `${texts[0]!.slice(0, 12)}.txt`, mimeType: 'text/plain', sizeBytes: 1n, sha256: createHash('sha256').update(texts.join('\n') + Math.random()).digest('hex'), storagePath: 'x', status },
    });
    await index(f, texts, indexedBy);
    return f;
  }

  async function index(f: { id: string; knowledgeBaseId: string }, texts: string[], indexedBy: { name: string; dimension: number } = embedder) {
    const vectors = await embedder.embed(texts, 'document');
    await insertChunks(prisma, f, indexedBy, texts.map((text, i) => ({ ordinal: i, text, tokenCount: text.split(' ').length, embedding: vectors[i]! })));
  }

  /** The statistics of an assistant's own base as the triggers keep them, and as a recount from the chunks gives them. */
  async function statistics(assistantId: string) {
    const { id: knowledgeBaseId } = await ownKnowledgeBaseRecord(prisma, assistantId);
    return baseStatistics(knowledgeBaseId);
  }

  async function baseStatistics(knowledgeBaseId: string) {
    const kept = await prisma.$queryRawUnsafe<{ lexeme: string; n: number }[]>(
      `SELECT lexeme, chunk_count AS n FROM chunk_term_stats WHERE knowledge_base_id = $1::uuid ORDER BY lexeme`,
      knowledgeBaseId,
    );
    const recount = await prisma.$queryRawUnsafe<{ lexeme: string; n: number }[]>(
      `SELECT l AS lexeme, count(*)::int AS n FROM chunks, unnest(tsvector_to_array(tsv)) AS l WHERE knowledge_base_id = $1::uuid GROUP BY l ORDER BY l`,
      knowledgeBaseId,
    );
    const corpus = await prisma.chunkCorpusStat.findUnique({ where: { knowledgeBaseId } });
    const totals = await prisma.chunk.aggregate({ where: { knowledgeBaseId }, _count: true, _sum: { tokenCount: true } });
    return { kept, recount, corpus: corpus && { chunks: Number(corpus.chunkCount), tokens: Number(corpus.tokenCount) }, totals: { chunks: totals._count, tokens: totals._sum.tokenCount ?? 0 } };
  }

  it('keeps per-base lexeme and corpus statistics exact through indexing, re-indexing and deletion', async () => {
    const a = await assistant();
    const b = await assistant('B');
    const f1 = await file(a.id, ['Cats chase mice in the barn', 'The barn is red']);
    await file(a.id, ['Dogs chase cats']);
    await file(b.id, ['Cats sleep all day']);

    let stats = await statistics(a.id);
    expect(stats.kept).toEqual(stats.recount);
    expect(stats.kept).toContainEqual({ lexeme: 'cat', n: 2 });
    expect(stats.kept).toContainEqual({ lexeme: 'barn', n: 2 });
    expect(stats.corpus).toEqual(stats.totals);
    expect(stats.corpus).toEqual({ chunks: 3, tokens: 6 + 4 + 3 });
    expect((await statistics(b.id)).kept).toEqual([{ lexeme: 'cat', n: 1 }, { lexeme: 'day', n: 1 }, { lexeme: 'sleep', n: 1 }]);

    // Re-indexing a file as the pipeline does: clear its chunks, insert new ones.
    await clearFileChunks(prisma, f1.id);
    await index(f1, ['Owls hunt mice at night']);
    stats = await statistics(a.id);
    expect(stats.kept).toEqual(stats.recount);
    expect(stats.kept.find((r) => r.lexeme === 'barn')).toBeUndefined();
    expect(stats.corpus).toEqual(stats.totals);

    // Deleting the base cascades to its files and chunks, and the statistics empty out.
    const { id: baseOfA } = await ownKnowledgeBaseRecord(prisma, a.id);
    await prisma.knowledgeBase.delete({ where: { id: baseOfA } });
    stats = await baseStatistics(baseOfA);
    expect(stats.kept).toEqual([]);
    expect(stats.corpus).toBeNull();
    expect((await statistics(b.id)).kept).toHaveLength(3);
  });

  it("searches only the ready files of the assistant's bases, and keeps word matches whatever the threshold", async () => {
    const a = await assistant();
    const other = await assistant('other');
    const ready = await file(a.id, ['The vacation policy allows twenty days of paid leave per year.']);
    await file(a.id, ['Vacation requests pending approval are not yet in the policy.'], 'embedding');
    await file(other.id, ['Vacation policy of another company: thirty days.']);
    await file(a.id, ['Quarterly revenue grew by ten percent in the north region.']);

    const found = await retriever.retrieve({ assistantId: a.id, reader, query: 'How many vacation days do I get?', topK: 5, minScore: 0.99 });
    expect(found.map((p) => p.fileId)).toEqual([ready.id]);
    expect(found[0]).toMatchObject({ fileName: ready.originalName, textRank: 1, score: expect.any(Number) });
    expect(found[0]!.score).toBeGreaterThan(0);
    expect(found[0]!.score).toBeLessThanOrEqual(1);

    // Nothing shares a word with this question: only the threshold decides.
    const unrelated = { assistantId: a.id, reader, query: 'zebra xylophone', topK: 5 };
    expect(await retriever.retrieve({ ...unrelated, minScore: 0.99 })).toEqual([]);
    expect((await retriever.retrieve({ ...unrelated, minScore: 0 })).length).toBe(2);
    expect(await retriever.retrieve({ ...unrelated, minScore: 0, mode: 'text' })).toEqual([]);
  });

  it('ranks each candidate in the lists that found it: both, the vector list only, the text list only', async () => {
    const a = await assistant();
    const both = await file(a.id, ['The parking garage opens at seven in the morning.']);
    // Found by both lists, in a different place in each.
    const nearer = await file(a.id, ['Parking in the garage is free for visitors on weekends and holidays, and the garage opens for them at nine.']);
    const terser = await file(a.id, ['Garage doors: the garage opens with a card.']);
    const vectorOnly = await file(a.id, ['Bicycles can be left in the courtyard racks.']);
    // Stored by a retired embedder (the file awaits re-embedding): no vector comparable with the question's, found by its words alone.
    const textOnly = await file(a.id, ['Parking permits are issued by the facilities office.'], 'ready', { name: 'retired-embedder', dimension: embedder.dimension });
    const request = { assistantId: a.id, reader, query: 'When does the parking garage open?' };
    const ranks = (pool: CandidatePool) => pool.candidates.map((c) => ({ fileId: c.fileId, vectorRank: c.vectorRank, textRank: c.textRank, text: c.text }));

    const hybrid = await retriever.candidatePool({ ...request, mode: 'hybrid' });
    // In the order the pool always had: the vector list, then what only the text list found.
    expect(ranks(hybrid)).toEqual([
      { fileId: both.id, vectorRank: 1, textRank: 1, text: '' },
      { fileId: nearer.id, vectorRank: 2, textRank: 3, text: '' },
      { fileId: terser.id, vectorRank: 3, textRank: 2, text: '' },
      { fileId: vectorOnly.id, vectorRank: 4, textRank: undefined, text: '' },
      { fileId: textOnly.id, vectorRank: undefined, textRank: 4, text: '' },
    ]);
    expect(hybrid.candidates[3]).not.toHaveProperty('textRank');
    expect(hybrid.candidates[4]).not.toHaveProperty('vectorRank');
    // Similarity only against vectors of the current embedder.
    expect(hybrid.candidates[0]!.score).toBeGreaterThan(0);
    expect(hybrid.candidates[4]!.score).toBe(0);
    // A search wide enough to widen ef_search (in its own transaction) finds the same.
    expect(ranks(await retriever.candidatePool({ ...request, mode: 'hybrid', candidates: 120 }))).toEqual(ranks(hybrid));

    // Each list alone: its own candidates, in its own order.
    const inList = (rank: 'vectorRank' | 'textRank') => ranks(hybrid).filter((c) => c[rank] !== undefined).sort((x, y) => x[rank]! - y[rank]!);
    expect(ranks(await retriever.candidatePool({ ...request, mode: 'vector' }))).toEqual(inList('vectorRank').map((c) => ({ ...c, textRank: undefined })));
    expect(ranks(await retriever.candidatePool({ ...request, mode: 'text' }))).toEqual(inList('textRank').map((c) => ({ ...c, vectorRank: undefined })));
    // Nothing to match by words (stop words only): the vector list alone.
    const withoutWords = await retriever.candidatePool({ ...request, query: 'When does it?' });
    expect(withoutWords.query.terms).toEqual([]);
    expect(withoutWords.candidates.map((c) => c.fileId).sort()).toEqual(inList('vectorRank').map((c) => c.fileId).sort());
    expect(withoutWords.candidates.filter((c) => c.textRank !== undefined)).toEqual([]);
  });

  it("ranks a passage holding the question's words together above one holding them apart", async () => {
    const a = await assistant();
    const apart = await file(a.id, [
      'The capital markets of the region grew. Poland exported coal and grain, and its largest ports handled much of the trade of the city.',
    ]);
    const together = await file(a.id, ['Warsaw is the capital and largest city of Poland, on the Vistula river.']);
    await file(a.id, ['Kraków was the royal seat before the court moved north.']);
    const ranked = await retriever.retrieve({ assistantId: a.id, reader, query: 'What is the largest city in Poland?', topK: 3, minScore: 0 });
    expect(ranked.map((p) => p.fileId).slice(0, 2)).toEqual([together.id, apart.id]);
    expect(ranked[0]!.fusedScore).toBeGreaterThan(ranked[1]!.fusedScore);
  });

  it('takes any question text literally, quotes and backslashes included', async () => {
    const a = await assistant();
    await file(a.id, ["O'Neil's report on the C:\\temp folder"]);
    for (const query of ["O'Neil's report", 'C:\\temp', "'' \\' & | ! :*", '', '   ']) {
      await expect(retriever.retrieve({ assistantId: a.id, reader, query, topK: 3, minScore: 0 })).resolves.toEqual(expect.any(Array));
    }
    expect(await retriever.retrieve({ assistantId: a.id, reader, query: "O'Neil's report", topK: 3, minScore: 0.99 })).toHaveLength(1);
  });
});

describe('full-text candidate query', () => {
  const term = (lexeme: string, documentFrequency: number): QueryTerm => ({ lexeme, documentFrequency, idf: 1, positions: [1] });

  it("ORs the question's rarest lexemes while their chunks fit the budget", () => {
    expect(candidateTsQuery([term('common', 900), term('rare', 10), term('mid', 300)], 1000)).toBe("'rare' | 'mid'");
    expect(candidateTsQuery([term('a', 10), term('b', 20)], 1000)).toBe("'a' | 'b'");
  });

  it('ANDs the two rarest when even the rarest alone is over budget, and keeps a lone term', () => {
    expect(candidateTsQuery([term('x', 5000), term('y', 3000), term('z', 8000)], 1000)).toBe("'y' & 'x'");
    expect(candidateTsQuery([term('x', 5000)], 1000)).toBe("'x'");
    expect(candidateTsQuery([], 1000)).toBeNull();
  });

  it('leaves lexemes found in more than half the chunks out of an AND: they narrow little and cost the most to intersect', () => {
    const terms = [term('speak', 12_000), term('celebr', 92_000), term('iwan', 99_000)];
    expect(candidateTsQuery(terms, 2000, 100_000)).toBe("'speak'");
    expect(candidateTsQuery([...terms, term('goal', 40_000)], 2000, 100_000)).toBe("'speak' & 'goal'");
    // Only such lexemes: the rarest still selects.
    expect(candidateTsQuery([term('celebr', 92_000), term('iwan', 99_000)], 2000, 100_000)).toBe("'celebr'");
  });

  it('quotes lexemes so they are taken literally', () => {
    expect(candidateTsQuery([term("o'neil", 1), term('a\\b', 2)], 10)).toBe("'o''neil' | 'a\\\\b'");
  });
});
