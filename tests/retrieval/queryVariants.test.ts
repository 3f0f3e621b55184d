import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../server/src/db/database.js';
import { LocalHashEmbedder } from '../../server/src/ingestion/embed/index.js';
import { insertAttachmentChunks, insertChunks } from '../../server/src/ingestion/index/chunkStore.js';
import { evidenceParameters, morphologyPrefixes } from '../../server/src/retrieval/passageEvidence.js';
import { analyseQuery } from '../../server/src/retrieval/queryTerms.js';
import { createTestDatabase, engineName, type TestDatabase } from '../support/testDb.js';

// A candidate's evidence reads the occurrences of the question's words and of
// their other forms (same first letters). The question's word forms are
// looked up once in the bases' term statistics (AnalysedQuery.variants) and
// each chunk's tsvector is filtered by them; this must give exactly what
// comparing every lexeme of every chunk gives, in bases and in attachments.
describe(`occurrences through the question's word forms (${engineName})`, () => {
  let t: TestDatabase;
  let prisma: PrismaClient;
  const embedder = new LocalHashEmbedder(384);
  let baseId: string;
  let attachmentId: string;

  const baseTexts = [
    'The players played on the playground while the playwright wrote a play about playing.',
    'Norwich City Football Club plays at Carrow Road; its nickname is the Canaries.',
    'International interest in the internet interrupted the interview.',
    'Oxygen is a chemical element; oxidation and oxides are named after it.',
    'A cat sat. Cats and catalogues differ; a catastrophe is neither.',
  ];
  const attachmentTexts = ['The player of the international team was interviewed about oxygen masks.'];

  beforeAll(async () => {
    t = await createTestDatabase();
    prisma = t.db.prisma;
    const base = await prisma.knowledgeBase.create({ data: { name: 'forms' } });
    baseId = base.id;
    const file = await prisma.knowledgeFile.create({
      data: { knowledgeBaseId: base.id, originalName: 'forms.txt', mimeType: 'text/plain', sizeBytes: 1n, sha256: createHash('sha256').update('forms').digest('hex'), storagePath: 'x', status: 'ready' },
    });
    const vectors = await embedder.embed(baseTexts, 'document');
    await insertChunks(prisma, file, embedder, baseTexts.map((text, i) => ({ ordinal: i, text, tokenCount: text.split(' ').length, embedding: vectors[i]! })));

    const user = await prisma.user.create({ data: { email: 'forms@example.com', name: 'Forms', passwordHash: 'x' } });
    const assistant = await prisma.assistant.create({ data: { name: 'forms' } });
    const conversation = await prisma.conversation.create({ data: { userId: user.id, assistantId: assistant.id } });
    const attachment = await prisma.conversationAttachment.create({
      data: { conversationId: conversation.id, userId: user.id, originalName: 'a.txt', mimeType: 'text/plain', kind: 'document', sizeBytes: 1n, sha256: 'a', storagePath: 'a', status: 'ready' },
    });
    attachmentId = attachment.id;
    const attachmentVectors = await embedder.embed(attachmentTexts, 'document');
    await insertAttachmentChunks(prisma, attachment.id, embedder, attachmentTexts.map((text, i) => ({ ordinal: i, text, tokenCount: 12, embedding: attachmentVectors[i]! })));
  }, 60_000);
  afterAll(() => t.drop());

  // Whether the question has a word whose other forms the chunks hold ("oxidises" is in no chunk, so its forms are not read).
  it.each([
    ['Who is playing for Norwich and where do they play?', true],
    ['Which interesting international interviews happened?', true],
    ['What is oxygen and what oxidises?', false],
    ['Is a cat a catastrophe?', true],
    ['nothing matches zzzz', false],
  ])('gives every chunk the same occurrences as a full comparison: %s', async (question, otherForms) => {
    const query = await analyseQuery(t.db, { baseIds: [baseId], languages: ['english'], attachmentIds: [attachmentId] }, question, evidenceParameters.prefixLength);
    const terms = query.terms.map((term) => term.lexeme);
    const prefixes = morphologyPrefixes(query.terms);
    const rows = await prisma.$queryRawUnsafe<{ id: bigint; filtered: string; compared: string }[]>(
      `SELECT c.id,
              (SELECT coalesce(json_agg(json_build_array(u.lexeme, u.positions)), '[]'::json)::text
                 FROM unnest(ts_filter(setweight(c.tsv, 'A', $1::text[]), '{a}')) AS u) AS filtered,
              (SELECT coalesce(json_agg(json_build_array(u.lexeme, u.positions)), '[]'::json)::text
                 FROM unnest(c.tsv) AS u
                WHERE u.lexeme = ANY ($2::text[]) OR left(u.lexeme, ${evidenceParameters.prefixLength}) = ANY ($3::text[])) AS compared
         FROM chunks c WHERE c.knowledge_base_id = $4::uuid OR c.attachment_id = $5::uuid`,
      query.variants,
      terms,
      prefixes,
      baseId,
      attachmentId,
    );
    expect(rows).toHaveLength(baseTexts.length + attachmentTexts.length);
    for (const row of rows) expect(row.filtered).toBe(row.compared);
    // The comparison is not vacuous: questions that share words with the chunks find them, and other forms of them.
    expect(rows.some((row) => row.compared !== '[]')).toBe(!question.startsWith('nothing'));
    expect(query.variants.some((lexeme) => !terms.includes(lexeme))).toBe(otherForms);
  });
});
