// Builds a replayable cache for re-scoring experiments: every SQuAD question's
// candidate pool (fetched once, wider than the retriever's default), the
// question's sentence vector and the stored sentence vectors of every
// candidate, written as JSON. Variants are then scored in memory by
// bench/qa/semanticVariants.ts without re-encoding anything.
//   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/qa/semanticCache.ts OUT.json
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { loadConfig } from '../../server/src/config/index.js';
import { createLogger } from '../../server/src/lib/logger.js';
import { everyAttachedBase } from '../../server/src/policies/knowledgeBases.js';
import { rankCandidates } from '../../server/src/retrieval/retrievePassages.js';
import { enrichSemanticsJob } from '../../server/src/retrieval/semantic/enrichSemanticsJob.js';
import { loadSemantics } from '../../server/src/retrieval/semantic/semanticStore.js';
import { quantise, splitSentences } from '../../server/src/retrieval/semantic/semanticVectors.js';
import { createServices } from '../../server/src/services.js';
import { createTestDatabase } from '../../tests/support/testDb.js';
import { indexSubset, tuningArticles } from './retrievalEval.js';
import { loadSquadSubset } from './squadSubset.js';

const out = process.argv[2];
if (!out) throw new Error('usage: semanticCache.ts OUT.json');
/** Candidates per list: twice the retriever's default of 40, so wider pools can be replayed. */
const WIDE = 80;

const database = await createTestDatabase();
try {
  const config = loadConfig({ JWT_SECRET: 'quality-bench-secret-long-enough-0123456789', LOG_LEVEL: 'silent', SEMANTIC_RERANK: 'true', NODE_ENV: 'production', UPLOADS_DIR: os.tmpdir() });
  const services = createServices(config, database.db, createLogger('silent'));
  const indexed = await indexSubset(database.db.prisma, services.embedder, await loadSquadSubset());
  const encoder = services.sentenceEncoder!;
  let started = performance.now();
  await enrichSemanticsJob(services, encoder, { budgetMs: Infinity }).run({}, { signal: new AbortController().signal, attempt: 1, lastAttempt: true });
  console.log(`sentence vectors for ${indexed.chunks.length} chunks in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const chunks: Record<string, { paragraphId: string; text: string; passage: number[]; sentences: number[][]; abbreviationAware?: number[][] }> = {};
  const questions = [];
  started = performance.now();
  for (const c of indexed.cases) {
    const pool = await services.retriever.candidatePool({ assistantId: indexed.assistantId, reader: everyAttachedBase, query: c.question.question, mode: 'hybrid', candidates: WIDE });
    const ranked = rankCandidates(pool, 'hybrid');
    const missing = ranked.map((p) => p.chunkId).filter((id) => !chunks[id]);
    const stored = await loadSemantics(database.db.prisma, encoder.name, missing.map((id) => BigInt(id)));
    for (const p of ranked) {
      if (chunks[p.chunkId]) continue;
      const v = stored.get(p.chunkId)!;
      const resplit = abbreviationAwareSentences(p.text);
      const abbreviationAware = resplit.join('\u0000') === splitSentences(p.text).join('\u0000') ? undefined : (await encoder.encode(resplit)).map((s) => [...quantise(s)]);
      chunks[p.chunkId] = { paragraphId: indexed.paragraphOfFile.get(p.fileId)!, text: p.text, passage: [...v.passage], sentences: v.sentences.map((s) => [...s]), abbreviationAware };
    }
    const [vector, stripped] = await encoder.encode([c.question.question, withoutWhPhrase(c.question.question)]);
    questions.push({
      question: c.question.question,
      article: c.article,
      paragraphId: c.paragraphId,
      tuning: tuningArticles.has(c.article),
      terms: pool.query.terms.map((t) => ({ lexeme: t.lexeme, idf: t.idf, positions: t.positions })),
      idfTotal: pool.idfTotal,
      vector: [...vector!].map((x) => Math.round(x * 1e6) / 1e6),
      stripped: [...stripped!].map((x) => Math.round(x * 1e6) / 1e6),
      candidates: ranked.map((p) => ({ chunkId: p.chunkId, fused: p.fusedScore, score: p.score, vectorRank: p.vectorRank, textRank: p.textRank, evidence: p.evidence })),
    });
  }
  console.log(`${questions.length} questions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await writeFile(out, JSON.stringify({ chunks, questions }));
  await (encoder as { close?: () => Promise<void> }).close?.();
} finally {
  await database.drop();
}

/** The question without its wh-phrase and question mark ("When did X begin?" → "X begin"), closer in form to the sentence that answers it. */
function withoutWhPhrase(question: string): string {
  const stripped = question
    .replace(/\?+\s*$/, '')
    .replace(/^\s*(what|which|who|whom|whose|when|where|why|how)(\s+(many|much|long|old|far|often|large|big))?(\s+(is|was|are|were|did|does|do|has|have|had|can|could|would|will|should|might))?\s+/i, '')
    .trim();
  return stripped || question;
}

/** splitSentences, except that a piece ending in a common abbreviation or an initial ("St.", "c.", "e.g.", "J.") does not end a sentence. */
function abbreviationAwareSentences(text: string): string[] {
  const abbreviation = /(?:^|[\s(])(?:St|Dr|Mr|Mrs|Ms|Prof|Jr|Sr|Mt|Ft|c|ca|e\.g|i\.e|vs|cf|[A-Z])\.$/;
  const sentences: string[] = [];
  let joinNext = false;
  for (const piece of text.split(/(?<=[.!?])\s+(?=["“'(\p{Lu}\p{N}])/u)) {
    const trimmed = piece.trim();
    if (!trimmed) continue;
    if (sentences.length > 0 && (joinNext || trimmed.length < 20)) sentences[sentences.length - 1] += ` ${trimmed}`;
    else sentences.push(trimmed);
    joinNext = abbreviation.test(sentences[sentences.length - 1]!);
  }
  return sentences.length > 0 ? sentences : [text.trim()];
}
