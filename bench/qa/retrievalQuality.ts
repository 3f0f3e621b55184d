// Retrieval quality on the SQuAD subset, printed as a table:
//   npx tsx bench/qa/retrievalQuality.ts            (in-memory PGlite)
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/qa/retrievalQuality.ts
//   npx tsx bench/qa/retrievalQuality.ts --tune     (refits the fusion weights on the tuning articles)
//   npx tsx bench/qa/retrievalQuality.ts --semantic (adds sentence-encoder re-scoring: encodes every chunk first, a few minutes)
// The Jest test tests/retrieval/quality.test.ts runs the same measurement and
// asserts the SPEC target.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../server/src/config/index.js';
import { createLogger } from '../../server/src/lib/logger.js';
import { everyAttachedBase } from '../../server/src/policies/knowledgeBases.js';
import { defaultFusionWeights, type FusionWeights } from '../../server/src/retrieval/fusion.js';
import { rankCandidates, type CandidatePool, type PassageRetriever } from '../../server/src/retrieval/retrievePassages.js';
import { enrichSemanticsJob } from '../../server/src/retrieval/semantic/enrichSemanticsJob.js';
import { SemanticRescorer } from '../../server/src/retrieval/semantic/semanticRescoring.js';
import { createServices } from '../../server/src/services.js';
import { createTestDatabase, engineName } from '../../tests/support/testDb.js';
import { formatQualityReport, indexSubset, measureQuality, tuningArticles, type IndexedSubset } from './retrievalEval.js';
import { loadSquadSubset } from './squadSubset.js';

const { values } = parseArgs({ options: { tune: { type: 'boolean', default: false }, semantic: { type: 'boolean', default: false } } });

const database = await createTestDatabase();
try {
  const config = loadConfig({ JWT_SECRET: 'quality-bench-secret-long-enough-0123456789', LOG_LEVEL: 'silent', SEMANTIC_RERANK: String(values.semantic), NODE_ENV: 'production', UPLOADS_DIR: os.tmpdir() });
  const services = createServices(config, database.db, createLogger('silent'));
  const started = performance.now();
  const indexed = await indexSubset(database.db.prisma, services.embedder, await loadSquadSubset());
  console.log(`indexed ${indexed.chunks.length} chunks (${indexed.paragraphOfFile.size} files) with ${services.embedder.name}/${services.embedder.dimension} on ${engineName} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  if (values.tune) {
    await tune(services.retriever, indexed);
    process.exit(0);
  }
  let semantic: SemanticRescorer | undefined;
  if (services.sentenceEncoder) {
    const encoding = performance.now();
    await enrichSemanticsJob(services, services.sentenceEncoder, { budgetMs: Infinity }).run({}, { signal: new AbortController().signal, attempt: 1, lastAttempt: true });
    console.log(`sentence vectors (${services.sentenceEncoder.name}) for ${indexed.chunks.length} chunks in ${((performance.now() - encoding) / 1000).toFixed(1)} s`);
    semantic = new SemanticRescorer(database.db.prisma, services.sentenceEncoder);
  }
  const report = await measureQuality(services.retriever, services.embedder, indexed, { crossCheck: 50, semantic });
  console.log(formatQualityReport(report, `retrieval quality, SQuAD v1.1 dev subset (${engineName})`));
} finally {
  await database.drop();
}

// Coordinate ascent on the tuning articles' questions: each weight in turn
// takes the value from a small grid that best improves top-1 (top-5 breaks
// near-ties), three passes. Candidate pools are fetched once and re-ranked in
// memory with the retriever's own ranking function.
async function tune(retriever: PassageRetriever, indexed: IndexedSubset) {
  const pools: { pool: CandidatePool; paragraphId: string; tuning: boolean }[] = [];
  for (const c of indexed.cases) {
    const pool = await retriever.candidatePool({ assistantId: indexed.assistantId, reader: everyAttachedBase, query: c.question.question, mode: 'hybrid' });
    pools.push({ pool, paragraphId: c.paragraphId, tuning: tuningArticles.has(c.article) });
  }
  const evaluate = (weights: FusionWeights, tuning: boolean) => {
    let top1 = 0;
    let top5 = 0;
    let reciprocalRank = 0;
    let n = 0;
    for (const p of pools) {
      if (p.tuning !== tuning) continue;
      const ranked = rankCandidates(p.pool, 'hybrid', { kind: 'evidence', weights }).slice(0, 10).map((x) => indexed.paragraphOfFile.get(x.fileId));
      const rank = ranked.indexOf(p.paragraphId);
      n += 1;
      if (rank === 0) top1 += 1;
      if (rank >= 0 && rank < 5) top5 += 1;
      if (rank >= 0) reciprocalRank += 1 / (rank + 1);
    }
    return { top1: top1 / n, top5: top5 / n, mrr: reciprocalRank / n };
  };
  // Mean reciprocal rank (of the first ten) is smoother than top-1 alone: fewer
  // weights win by a question or two.
  const objective = (w: FusionWeights) => evaluate(w, true).mrr;
  const grid = [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 2.5, 3, 4];
  let best: FusionWeights = { ...defaultFusionWeights };
  let bestScore = objective(best);
  for (let pass = 0; pass < 3; pass++) {
    for (const key of ['proximity', 'window', 'morphology', 'coverage', 'similarity'] as const) {
      for (const value of grid) {
        const candidate = { ...best, [key]: value };
        const score = objective(candidate);
        if (score > bestScore + 1e-9) {
          best = candidate;
          bestScore = score;
        }
      }
    }
  }
  const show = (w: FusionWeights) => {
    const t = evaluate(w, true);
    const h = evaluate(w, false);
    return `tuning ${(100 * t.top1).toFixed(1)}/${(100 * t.top5).toFixed(1)} mrr ${t.mrr.toFixed(3)}  held out ${(100 * h.top1).toFixed(1)}/${(100 * h.top5).toFixed(1)} mrr ${h.mrr.toFixed(3)}`;
  };
  console.log(`current weights ${JSON.stringify(defaultFusionWeights)}: ${show(defaultFusionWeights)}`);
  console.log(`tuned weights   ${JSON.stringify(best)}: ${show(best)}`);
  for (const key of ['proximity', 'window', 'morphology', 'coverage', 'similarity'] as const) console.log(`  without ${key.padEnd(10)} ${show({ ...best, [key]: 0 })}`);
  // What the vector list adds: the same fusion over the full-text list's candidates alone.
  const textOnly = pools.map((p) => ({ ...p, pool: { ...p.pool, candidates: p.pool.candidates.filter((c) => c.textRank !== undefined) } }));
  const all = pools.splice(0, pools.length, ...textOnly);
  console.log(`  default weights, full-text candidates only: ${show(defaultFusionWeights)}`);
  pools.splice(0, pools.length, ...all);
}
