import { formatQualityReport, indexSubset, measureQuality, type IndexedSubset, type QualityReport } from '../../bench/qa/retrievalEval.js';
import { loadSquadSubset } from '../../bench/qa/squadSubset.js';
import { createTestApp, type TestApp } from '../support/testApp.js';
import { engineName } from '../support/testDb.js';

// SPEC, "How well": on a public question-answering set, with the offline
// embedder, hybrid retrieval beats a plain BM25 baseline over the same chunks,
// measured side by side: the passage holding the answer ranks first clearly
// more often, and is in the top 5 for at least 95% of questions.
//
// SQuAD v1.1 dev, four whole articles (175 paragraphs, 845 questions), every
// paragraph a ready knowledge file of one assistant, indexed and searched
// through the real code (bench/qa/retrievalEval.ts). The fusion weights were
// tuned on the Warsaw and Teacher questions only; the assertions are on all
// four articles, and the held-out pair (Victoria, Oxygen) must show a gain too.
// Same table from the command line: npx tsx bench/qa/retrievalQuality.ts
describe(`retrieval quality on SQuAD with the offline embedder (${engineName})`, () => {
  let t: TestApp;
  let indexed: IndexedSubset;
  let report: QualityReport;

  beforeAll(async () => {
    t = await createTestApp();
    expect(t.services.embedder.name).toMatch(/^local-/);
    indexed = await indexSubset(t.prisma, t.services.embedder, await loadSquadSubset());
    report = await measureQuality(t.services.retriever, t.services.embedder, indexed, { crossCheck: 25 });
    console.log(formatQualityReport(report, `retrieval quality, SQuAD v1.1 dev subset (${engineName}, ${t.services.embedder.name}/${t.services.embedder.dimension})`));
  }, 300_000);
  afterAll(() => t.close());

  it('indexed every paragraph as a ready file and asked every question', () => {
    expect(indexed.paragraphOfFile.size).toBe(175);
    expect(report.table.bm25.all.questions).toBe(845);
    expect(report.table.hybrid.heldOut.questions + report.table.hybrid.tuning.questions).toBe(845);
  });

  it('measures what retrieve() returns in each mode', () => {
    expect(report.crossCheck).toEqual({ questions: 25, mismatches: 0 });
  });

  it('ranks the answer passage first clearly more often than plain BM25 (all four articles, by 2 points or more)', () => {
    const { hybrid, bm25 } = report.table;
    expect(hybrid.all.top1).toBeGreaterThanOrEqual(bm25.all.top1 + 0.02);
  });

  it('keeps a gain over BM25 on the articles the weights were not tuned on', () => {
    const { hybrid, bm25 } = report.table;
    expect(hybrid.heldOut.top1).toBeGreaterThanOrEqual(bm25.heldOut.top1 + 0.01);
  });

  it('has the answer passage in the top 5 for at least 95% of questions', () => {
    expect(report.table.hybrid.all.top5).toBeGreaterThanOrEqual(0.95);
    expect(report.table.hybrid.heldOut.top5).toBeGreaterThanOrEqual(0.95);
  });

  it('loses nothing measurable to the default similarity threshold', () => {
    expect(report.threshold.hybrid.top1).toBeGreaterThanOrEqual(report.table.hybrid.all.top1 - 0.005);
    expect(report.threshold.hybrid.top5).toBeGreaterThanOrEqual(report.table.hybrid.all.top5 - 0.005);
    // It sits above what unrelated passages that share no word with the question typically score.
    expect(report.threshold.minScore).toBeGreaterThanOrEqual(report.calibration.unrelated.p50);
  });
});
