import type { PrismaClient } from '../../server/src/db/database.js';
import { reparseChunks } from '../../server/src/commands/knowledgeBases/manageKnowledgeBases.js';
import { LocalHashEmbedder } from '../../server/src/ingestion/embed/index.js';
import { insertChunks } from '../../server/src/ingestion/index/chunkStore.js';
import { everyAttachedBase } from '../../server/src/policies/knowledgeBases.js';
import { PassageRetriever } from '../../server/src/retrieval/retrievePassages.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// Full text in each base's own language: chunks are parsed with the base's
// text search configuration and so is the question, so German inflections
// meet under `german` and miss under `english`. Changing the language
// re-parses the chunks in place (their vectors stay).

const GERMAN = ['Die Häuser der Altstadt wurden um 1850 aus rotem Backstein gebaut.', 'Der Bahnhof liegt im Norden der Stadt.'];

describe(`full-text language per knowledge base (${engineName})`, () => {
  let t: TestDatabase;
  let prisma: PrismaClient;
  const embedder = new LocalHashEmbedder(384);
  let retriever: PassageRetriever;

  beforeAll(async () => {
    t = await createTestDatabase();
    prisma = t.db.prisma;
    retriever = new PassageRetriever(t.db, embedder, 0.2);
  });
  afterAll(() => t.drop());

  async function baseWith(language: string, texts: string[]) {
    const assistant = await prisma.assistant.create({ data: { name: `Stadtführer (${language})` } });
    const base = await prisma.knowledgeBase.create({ data: { name: 'Stadt', language, attachments: { create: { assistantId: assistant.id } } } });
    const file = await prisma.knowledgeFile.create({
      data: { knowledgeBaseId: base.id, originalName: 'stadt.txt', mimeType: 'text/plain', sizeBytes: 1n, sha256: language.padEnd(64, '0'), storagePath: 'x', status: 'ready' },
    });
    const vectors = await embedder.embed(texts, 'document');
    await insertChunks(prisma, file, embedder, texts.map((text, i) => ({ ordinal: i, text, tokenCount: text.split(' ').length, embedding: vectors[i]! })));
    return { assistant, base };
  }

  /** Full-text matches only: the hash embedder's vectors must not blur what the language decides. */
  const textSearch = (assistantId: string, query: string) => retriever.retrieve({ assistantId, reader: everyAttachedBase, query, topK: 5, minScore: 1, mode: 'text' });

  async function statisticsMatchChunks(knowledgeBaseId: string) {
    const kept = await prisma.$queryRawUnsafe<unknown[]>(`SELECT lexeme, chunk_count AS n FROM chunk_term_stats WHERE knowledge_base_id = $1::uuid ORDER BY lexeme`, knowledgeBaseId);
    const recount = await prisma.$queryRawUnsafe<unknown[]>(
      `SELECT l AS lexeme, count(*)::int AS n FROM chunks, unnest(tsvector_to_array(tsv)) AS l WHERE knowledge_base_id = $1::uuid GROUP BY l ORDER BY l`,
      knowledgeBaseId,
    );
    expect(kept).toEqual(recount);
  }

  it('finds German text by inflected German questions with `german`, not with `english`', async () => {
    const german = await baseWith('german', GERMAN);
    const english = await baseWith('english', GERMAN);
    for (const query of ['Haus', 'Welches Haus?', 'Häusern']) {
      expect((await textSearch(german.assistant.id, query)).map((p) => p.text)).toEqual([GERMAN[0]]);
      expect(await textSearch(english.assistant.id, query)).toEqual([]);
    }
    // The exact word form is found either way.
    expect((await textSearch(english.assistant.id, 'Häuser')).map((p) => p.text)).toEqual([GERMAN[0]]);
    await statisticsMatchChunks(german.base.id);
  });

  it('re-parses a base’s chunks when its language changes, keeping their vectors and statistics exact', async () => {
    const { assistant, base } = await baseWith('simple', GERMAN);
    expect(await textSearch(assistant.id, 'Haus')).toEqual([]);
    const vectorsBefore = await prisma.$queryRawUnsafe<unknown[]>(`SELECT id, md5(embedding::text) FROM chunks WHERE knowledge_base_id = $1::uuid ORDER BY id`, base.id);

    await prisma.$transaction(async (tx) => {
      await tx.knowledgeBase.update({ where: { id: base.id }, data: { language: 'german' } });
      await reparseChunks(tx, base.id, 'german');
    });
    expect((await textSearch(assistant.id, 'Haus')).map((p) => p.text)).toEqual([GERMAN[0]]);
    expect(await prisma.$queryRawUnsafe<unknown[]>(`SELECT id, md5(embedding::text) FROM chunks WHERE knowledge_base_id = $1::uuid ORDER BY id`, base.id)).toEqual(vectorsBefore);
    await statisticsMatchChunks(base.id);
  });

  it('analyses the question once per language when an assistant searches bases of several languages', async () => {
    const german = await baseWith('german', ['Die Kinder spielen im Garten.']);
    const englishBase = await prisma.knowledgeBase.create({ data: { name: 'Parks', attachments: { create: { assistantId: german.assistant.id } } } });
    const file = await prisma.knowledgeFile.create({
      data: { knowledgeBaseId: englishBase.id, originalName: 'parks.txt', mimeType: 'text/plain', sizeBytes: 1n, sha256: 'p'.repeat(64), storagePath: 'x', status: 'ready' },
    });
    const [vector] = await embedder.embed(['Children are playing in the gardens.'], 'document');
    await insertChunks(prisma, file, embedder, [{ ordinal: 0, text: 'Children are playing in the gardens.', tokenCount: 6, embedding: vector! }]);

    expect((await textSearch(german.assistant.id, 'Kind')).map((p) => p.text)).toEqual(['Die Kinder spielen im Garten.']);
    expect((await textSearch(german.assistant.id, 'garden')).map((p) => p.text)).toEqual(['Children are playing in the gardens.']);
  });
});
