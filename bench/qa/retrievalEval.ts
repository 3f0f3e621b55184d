import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../server/src/db/database.js';
import { chunkSpans } from '../../server/src/ingestion/chunk/chunkSpans.js';
import type { Embedder } from '../../server/src/ingestion/embed/index.js';
import { porterStem } from '../../server/src/ingestion/embed/local/porterStemmer.js';
import { englishStopWords } from '../../server/src/ingestion/embed/local/stopWords.js';
import { insertChunks } from '../../server/src/ingestion/index/chunkStore.js';
import { everyAttachedBase } from '../../server/src/policies/knowledgeBases.js';
import { reciprocalRankFusion } from '../../server/src/retrieval/fusion.js';
import { rankCandidates, type Passage, type PassageRetriever, type RetrievalMode } from '../../server/src/retrieval/retrievePassages.js';
import type { SemanticRescorer } from '../../server/src/retrieval/semantic/semanticRescoring.js';
import { squadCases, type SquadCase, type SquadSubset } from './squadSubset.js';

// Retrieval quality on the SQuAD subset (tests/fixtures/qa), measured through
// the real code path: every paragraph is a ready knowledge file of one
// assistant, chunked, embedded and stored as the pipeline does it, and
// questions go through PassageRetriever. A plain BM25 written here, with no
// code shared with the retriever, ranks exactly the same chunk texts as the
// baseline. A hit is a returned chunk from the question's paragraph.

/** Articles the fusion weights were tuned on; the others are held out. */
export const tuningArticles: ReadonlySet<string> = new Set(['Warsaw', 'Teacher']);

export interface IndexedSubset {
  assistantId: string;
  /** The paragraph id of every file, and of every chunk text (by chunk index). */
  paragraphOfFile: Map<string, string>;
  chunks: { paragraphId: string; text: string }[];
  cases: SquadCase[];
}

export async function indexSubset(prisma: PrismaClient, embedder: Embedder, subset: SquadSubset): Promise<IndexedSubset> {
  const assistant = await prisma.assistant.create({ data: { name: `SQuAD subset (${embedder.name})` } });
  const base = await prisma.knowledgeBase.create({ data: { name: `SQuAD subset (${embedder.name})`, attachments: { create: { assistantId: assistant.id } } } });
  const paragraphOfFile = new Map<string, string>();
  const chunks: IndexedSubset['chunks'] = [];
  for (const article of subset.articles) {
    for (const paragraph of article.paragraphs) {
      const pieces = await chunkSpans([{ text: paragraph.text }]);
      const vectors = await embedder.embed(pieces.map((p) => p.text), 'document');
      const file = await prisma.knowledgeFile.create({
        data: {
          knowledgeBaseId: base.id,
          originalName: `${paragraph.id}.txt`,
          mimeType: 'text/plain',
          sizeBytes: BigInt(Buffer.byteLength(paragraph.text)),
          sha256: createHash('sha256').update(paragraph.text).digest('hex'),
          storagePath: `squad/${paragraph.id}`,
          status: 'ready',
          progress: 100,
          chunkCount: pieces.length,
          embedder: embedder.name,
          embeddingDim: embedder.dimension,
        },
      });
      await insertChunks(prisma, { id: file.id, knowledgeBaseId: base.id }, embedder, pieces.map((p, i) => ({ ...p, embedding: vectors[i]! })));
      paragraphOfFile.set(file.id, paragraph.id);
      for (const p of pieces) chunks.push({ paragraphId: paragraph.id, text: p.text });
    }
  }
  return { assistantId: assistant.id, paragraphOfFile, chunks, cases: squadCases(subset) };
}

// ── Plain BM25 baseline ──────────────────────────────────────────────────────

/** Lowercased words and numbers, English stop words dropped, Porter-stemmed. */
export function standardAnalyzer(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    if (englishStopWords.has(word)) continue;
    tokens.push(/^[a-z]+$/.test(word) ? porterStem(word) : word);
  }
  return tokens;
}

/** Okapi BM25 (k1 = 1.2, b = 0.75) over a fixed list of documents, in memory. */
export class PlainBm25 {
  private readonly frequencies: Map<string, number>[];
  private readonly lengths: number[];
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageLength: number;

  constructor(documents: string[], private readonly k1 = 1.2, private readonly b = 0.75) {
    this.frequencies = documents.map((text) => {
      const counts = new Map<string, number>();
      for (const token of standardAnalyzer(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
      return counts;
    });
    this.lengths = this.frequencies.map((counts) => [...counts.values()].reduce((a, n) => a + n, 0));
    for (const counts of this.frequencies) for (const term of counts.keys()) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    this.averageLength = this.lengths.reduce((a, n) => a + n, 0) / Math.max(1, documents.length);
  }

  /** Indexes of the best `k` documents, best first (ties to the earlier document). */
  search(query: string, k: number): number[] {
    const n = this.frequencies.length;
    const terms = [...new Set(standardAnalyzer(query))];
    const scores = this.frequencies.map((counts, i) => {
      let score = 0;
      for (const term of terms) {
        const tf = counts.get(term) ?? 0;
        if (tf === 0) continue;
        const df = this.documentFrequency.get(term)!;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * tf * (this.k1 + 1)) / (tf + this.k1 * (1 - this.b + (this.b * this.lengths[i]!) / this.averageLength));
      }
      return score;
    });
    return scores
      .map((score, i) => ({ score, i }))
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, k)
      .map((x) => x.i);
  }
}

// ── Measurement ──────────────────────────────────────────────────────────────

export type MethodName = 'vector' | 'text' | 'hybrid' | 'semantic' | 'rrf' | 'bm25';
export const methods: MethodName[] = ['vector', 'text', 'hybrid', 'semantic', 'rrf', 'bm25'];

export interface HitRates {
  questions: number;
  top1: number;
  top5: number;
}

export type Split = 'all' | 'heldOut' | 'tuning';
/** `semantic` is measured only when a SemanticRescorer is given. */
export type QualityTable = Record<Exclude<MethodName, 'semantic'>, Record<Split, HitRates>> & { semantic?: Record<Split, HitRates> };

export interface QualityReport {
  table: QualityTable;
  articles: { tuning: string[]; heldOut: string[] };
  /** Hit rates over all questions at the embedder's default threshold instead of 0. */
  threshold: { minScore: number; hybrid: HitRates; vector: HitRates; text: HitRates; fewerThanFivePerQuery: number };
  /** Cosine similarities behind the threshold choice (see calibration()). */
  calibration: Calibration;
  /** Questions whose results were also fetched through retrieve() in each mode, and how many lists differed from the pooled measurement. */
  crossCheck: { questions: number; mismatches: number };
  seconds: number;
}

/**
 * Top-5 paragraph ids for every question and method, then hit rates per
 * split. Each question's candidate pool (both lists with their evidence) is
 * fetched once and ranked for every mode by the retriever's own `rank`, which
 * is what `retrieve` does per mode; the first `crossCheck` questions also go
 * through `retrieve` itself, mode by mode, and must give the same passages.
 */
export async function measureQuality(
  retriever: PassageRetriever,
  embedder: Embedder,
  indexed: IndexedSubset,
  options: { crossCheck?: number; onProgress?: (done: number, total: number) => void; semantic?: SemanticRescorer } = {},
): Promise<QualityReport> {
  const measured = methods.filter((m) => m !== 'semantic' || options.semantic);
  const started = performance.now();
  const bm25 = new PlainBm25(indexed.chunks.map((c) => c.text));
  const counts = emptyCounts();
  const atThreshold: Record<RetrievalMode, HitRates> = { hybrid: zero(), vector: zero(), text: zero() };
  let fewer = 0;
  const crossCheck = { questions: 0, mismatches: 0 };
  const paragraphsOf = (passages: { fileId: string }[]) => passages.map((p) => indexed.paragraphOfFile.get(p.fileId));
  const modes: RetrievalMode[] = ['vector', 'text', 'hybrid'];

  for (const [index, c] of indexed.cases.entries()) {
    const request = { assistantId: indexed.assistantId, reader: everyAttachedBase, query: c.question.question, topK: 5 };
    const pool = await retriever.candidatePool({ ...request, mode: 'hybrid' });
    const ranked = Object.fromEntries(modes.map((mode) => [mode, retriever.rank(pool, { mode, minScore: 0, topK: 5 })])) as Record<RetrievalMode, Passage[]>;
    // With semantic re-scoring, retrieve() in hybrid mode returns the re-scored order.
    const semantic = options.semantic
      ? (await options.semantic.rescore(c.question.question, retriever.rank(pool, { mode: 'hybrid', minScore: 0, topK: Infinity }))).slice(0, 5)
      : undefined;
    const paragraphs: Record<MethodName, (string | undefined)[]> = {
      vector: paragraphsOf(ranked.vector),
      text: paragraphsOf(ranked.text),
      hybrid: paragraphsOf(ranked.hybrid),
      semantic: paragraphsOf(semantic ?? []),
      rrf: paragraphsOf(rankCandidates(pool, 'hybrid', reciprocalRankFusion).slice(0, 5)),
      bm25: bm25.search(c.question.question, 5).map((i) => indexed.chunks[i]!.paragraphId),
    };
    const splits: Split[] = ['all', tuningArticles.has(c.article) ? 'tuning' : 'heldOut'];
    for (const method of measured) for (const split of splits) count(counts[method][split], paragraphs[method], c.paragraphId);

    for (const mode of modes) {
      const passages = retriever.rank(pool, { mode, minScore: retriever.defaultMinScore, topK: 5 });
      count(atThreshold[mode], paragraphsOf(passages), c.paragraphId);
      if (mode === 'hybrid') fewer += 5 - passages.length;
    }

    if (index < (options.crossCheck ?? 0)) {
      crossCheck.questions += 1;
      for (const mode of modes) {
        const direct = await retriever.retrieve({ ...request, mode, minScore: 0 });
        const expected = mode === 'hybrid' && semantic ? semantic : ranked[mode];
        if (direct.map((p) => p.chunkId).join() !== expected.map((p) => p.chunkId).join()) crossCheck.mismatches += 1;
      }
    }
    options.onProgress?.(index + 1, indexed.cases.length);
  }

  const rates = (h: HitRates): HitRates => ({ questions: h.questions, top1: h.top1 / h.questions, top5: h.top5 / h.questions });
  const table = Object.fromEntries(measured.map((m) => [m, { all: rates(counts[m].all), heldOut: rates(counts[m].heldOut), tuning: rates(counts[m].tuning) }])) as QualityTable;
  const articles = [...new Set(indexed.cases.map((c) => c.article))];
  return {
    table,
    articles: { tuning: articles.filter((a) => tuningArticles.has(a)), heldOut: articles.filter((a) => !tuningArticles.has(a)) },
    threshold: {
      minScore: retriever.defaultMinScore,
      hybrid: rates(atThreshold.hybrid),
      vector: rates(atThreshold.vector),
      text: rates(atThreshold.text),
      fewerThanFivePerQuery: fewer / indexed.cases.length,
    },
    calibration: await calibration(embedder, indexed),
    crossCheck,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface Calibration {
  /** Percentiles of the similarity between a question and its answer passage. */
  answer: { p5: number; p50: number };
  /** Percentiles of the best similarity a question gets from a passage of another article sharing none of its words. */
  unrelated: { p50: number; p95: number; p99: number };
  /** Answer passages that share no word with their question (only these can be lost to the threshold). */
  answersWithoutSharedWord: number;
}

// The threshold only ever drops passages that share no word with the
// question (a full-text match is kept whatever its similarity), so it is set
// against what such passages score when they are unrelated: passages of
// another article than the question's.
async function calibration(embedder: Embedder, indexed: IndexedSubset): Promise<Calibration> {
  const articleOf = (paragraphId: string) => paragraphId.slice(0, paragraphId.lastIndexOf('#'));
  const chunkVectors = await embedder.embed(indexed.chunks.map((c) => c.text), 'document');
  const chunkTerms = indexed.chunks.map((c) => new Set(standardAnalyzer(c.text)));
  const questionVectors = await embedder.embed(indexed.cases.map((c) => c.question.question), 'query');
  const answer: number[] = [];
  const unrelated: number[] = [];
  let answersWithoutSharedWord = 0;
  indexed.cases.forEach((c, q) => {
    const terms = new Set(standardAnalyzer(c.question.question));
    let best = 0;
    indexed.chunks.forEach((chunk, i) => {
      const similarity = dot(questionVectors[q]!, chunkVectors[i]!);
      const shares = [...terms].some((t) => chunkTerms[i]!.has(t));
      if (chunk.paragraphId === c.paragraphId) {
        answer.push(similarity);
        if (!shares) answersWithoutSharedWord += 1;
      } else if (articleOf(chunk.paragraphId) !== c.article && !shares) best = Math.max(best, similarity);
    });
    unrelated.push(best);
  });
  const at = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
  return {
    answer: { p5: at(answer, 5), p50: at(answer, 50) },
    unrelated: { p50: at(unrelated, 50), p95: at(unrelated, 95), p99: at(unrelated, 99) },
    answersWithoutSharedWord,
  };
}

function dot(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

const zero = (): HitRates => ({ questions: 0, top1: 0, top5: 0 });

function emptyCounts(): Record<MethodName, Record<Split, HitRates>> {
  return Object.fromEntries(methods.map((m) => [m, { all: zero(), heldOut: zero(), tuning: zero() }])) as Record<MethodName, Record<Split, HitRates>>;
}

function count(into: HitRates, ranked: (string | undefined)[], paragraphId: string): void {
  into.questions += 1;
  if (ranked[0] === paragraphId) into.top1 += 1;
  if (ranked.slice(0, 5).includes(paragraphId)) into.top5 += 1;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);

/** The table as printed by the test and the script. */
export function formatQualityReport(report: QualityReport, title: string): string {
  const labels: Record<MethodName, string> = {
    vector: 'vector only (PassageRetriever)',
    text: 'full text only (PassageRetriever)',
    hybrid: 'hybrid (PassageRetriever)',
    semantic: '  + sentence-encoder re-scoring',
    rrf: '  same lists, plain RRF k=60',
    bm25: 'plain BM25 baseline (same chunks)',
  };
  const { table } = report;
  const lines = [
    title,
    `${'method'.padEnd(36)} ${'all: top-1  top-5'.padStart(18)}   ${'held out: top-1  top-5'.padStart(23)}   ${'tuning: top-1  top-5'.padStart(21)}`,
    ...methods.flatMap((m) => {
      const row = table[m];
      return row ? [`${labels[m].padEnd(36)} ${percent(row.all.top1)} ${percent(row.all.top5)}   ${' '.repeat(10)}${percent(row.heldOut.top1)} ${percent(row.heldOut.top5)}   ${' '.repeat(8)}${percent(row.tuning.top1)} ${percent(row.tuning.top5)}`] : [];
    }),
    `questions: all ${table.bm25.all.questions}, held out ${table.bm25.heldOut.questions} (${report.articles.heldOut.join(', ')}), tuning ${table.bm25.tuning.questions} (${report.articles.tuning.join(', ')}); minScore 0`,
  ];
  const t = report.threshold;
  const c = report.calibration;
  lines.push(
    `at the default threshold ${t.minScore} instead of 0: hybrid ${percent(t.hybrid.top1)} ${percent(t.hybrid.top5)}, text ${percent(t.text.top1)} ${percent(t.text.top5)}, vector ${percent(t.vector.top1)} ${percent(t.vector.top5)}; hybrid returns ${t.fewerThanFivePerQuery.toFixed(2)} fewer than 5 passages per question`,
    `calibration: question-to-answer similarity p5 ${c.answer.p5.toFixed(3)}, p50 ${c.answer.p50.toFixed(3)}; best unrelated passage sharing no word p50 ${c.unrelated.p50.toFixed(3)}, p95 ${c.unrelated.p95.toFixed(3)}, p99 ${c.unrelated.p99.toFixed(3)}; answers sharing no word with their question: ${c.answersWithoutSharedWord}`,
    `cross-check: ${report.crossCheck.questions} questions also through retrieve() in each mode, ${report.crossCheck.mismatches} differences`,
  );
  lines.push(`measured in ${report.seconds.toFixed(1)} s`);
  return lines.join('\n');
}
