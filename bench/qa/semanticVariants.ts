// Re-scoring variants replayed in memory from the cache written by
// bench/qa/semanticCache.ts (nothing is re-encoded, a full run takes a minute
// or two). Every variant's parameters are chosen on the tuning articles only:
// tuning top-1, then tuning top-5, then tuning mean reciprocal rank (of the
// first ten), then the earlier grid point. The held-out articles are
// measured for the chosen point alone and never looked at to choose.
//   npx tsx bench/qa/semanticVariants.ts CACHE.json [variant ...] [--ceiling]
// --ceiling also prints the best held-out figures anywhere on each grid: how
// far a variant could go if it were (dishonestly) chosen on those articles.
import { readFile } from 'node:fs/promises';
import { cosineSimilarity, vectorNorm } from '../../server/src/ingestion/embed/vectorMath.js';
import { splitSentences } from '../../server/src/retrieval/semantic/semanticVectors.js';

interface Candidate {
  chunkId: string;
  fused: number;
  /** The offline (hashed) embedder's cosine. */
  score: number;
  vectorRank?: number;
  textRank?: number;
  evidence: { bm25: number; coverage: number; proximity: number; window: number; morphology: number };
}
interface Question {
  question: string;
  article: string;
  paragraphId: string;
  tuning: boolean;
  terms: { lexeme: string; idf: number; positions: number[] }[];
  idfTotal: number;
  vector: number[];
  stripped: number[];
  /** Candidates of each list's best 80, in fused order. */
  candidates: Candidate[];
}
interface Chunk {
  paragraphId: string;
  text: string;
  passage: number[];
  sentences: number[][];
  abbreviationAware?: number[][];
}

const ceiling = process.argv.includes('--ceiling');
const cache = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as { chunks: Record<string, Chunk>; questions: Question[] };
const { chunks, questions } = cache;

const unit = (v: number[]) => {
  const n = vectorNorm(v) || 1;
  return v.map((x) => x / n);
};

interface Scored extends Candidate {
  paragraphId: string;
  /** cos(question, passage), cos(question, each sentence), their maximum and where it is. */
  whole: number;
  sentenceCos: number[];
  best: number;
  bestIndex: number;
}
function scoredAgainst(vector: number[], c: Candidate, sentences?: number[][]): Scored {
  const chunk = chunks[c.chunkId]!;
  const sentenceCos = (sentences ?? chunk.sentences).map((s) => cosineSimilarity(vector, s));
  const whole = cosineSimilarity(vector, chunk.passage);
  let best = sentenceCos.length ? -Infinity : whole;
  let bestIndex = 0;
  sentenceCos.forEach((x, i) => {
    if (x > best) {
      best = x;
      bestIndex = i;
    }
  });
  return { ...c, paragraphId: chunk.paragraphId, whole, sentenceCos, best, bestIndex };
}
const prepared = new Map(questions.map((q) => [q, q.candidates.map((c) => scoredAgainst(q.vector, c))]));

/** The retriever's default pool: each list's best 40. */
const inDefaultPool = (c: Candidate) => (c.vectorRank !== undefined && c.vectorRank <= 40) || (c.textRank !== undefined && c.textRank <= 40);

type Ranker = (q: Question, list: Scored[]) => Scored[];
interface Rates {
  top1: number;
  top5: number;
  mrr: number;
  n: number;
}

function measure(ranker: Ranker, tuning: boolean, pool: (c: Candidate) => boolean = inDefaultPool): Rates {
  const r: Rates = { top1: 0, top5: 0, mrr: 0, n: 0 };
  for (const [q, list] of prepared) {
    if (q.tuning !== tuning) continue;
    r.n += 1;
    const rank = ranker(q, list.filter(pool)).slice(0, 10).findIndex((c) => c.paragraphId === q.paragraphId);
    if (rank === 0) r.top1 += 1;
    if (rank >= 0 && rank < 5) r.top5 += 1;
    if (rank >= 0) r.mrr += 1 / (rank + 1);
  }
  return { ...r, mrr: r.mrr / r.n };
}

const pct = (r: Rates) => `${((100 * r.top1) / r.n).toFixed(1)}% / ${((100 * r.top5) / r.n).toFixed(1)}% (${r.top1}, ${r.top5} of ${r.n})`;
const better = (a: Rates, b: Rates) => (a.top1 !== b.top1 ? a.top1 > b.top1 : a.top5 !== b.top5 ? a.top5 > b.top5 : a.mrr > b.mrr + 1e-12);

/** Grid search on the tuning split, then the held-out split for the chosen point only. */
function choose<P>(name: string, grid: P[], make: (p: P) => Ranker, pool?: (c: Candidate) => boolean): void {
  let best: { p: P; r: Rates } | undefined;
  for (const p of grid) {
    const r = measure(make(p), true, pool);
    if (!best || better(r, best.r)) best = { p, r };
  }
  const held = measure(make(best!.p), false, pool);
  console.log(`${name}\n    chosen ${JSON.stringify(best!.p)}: tuning ${pct(best!.r)} mrr ${best!.r.mrr.toFixed(4)}; held out ${pct(held)}`);
  if (ceiling) {
    // What the grid could reach on the held-out articles if it were chosen there: a ceiling, never a choice.
    const all = grid.map((p) => measure(make(p), false, pool));
    console.log(`    ceiling over the grid (held out, NOT a choice): top-1 ${Math.max(...all.map((r) => r.top1))}, top-5 ${Math.max(...all.map((r) => r.top5))} of ${held.n}`);
  }
}

const byScore = (scored: { c: Scored; s: number }[]) => scored.sort((a, b) => b.s - a.s || b.c.score - a.c.score).map((x) => x.c);

/** The shipped re-scoring: fused + wp·cos(passage) + ws·max cos(sentence) over the best `depth`, plus an optional extra feature. */
const additive =
  (p: { wp: number; ws: number; depth: number }, extra: (q: Question, c: Scored) => number = () => 0): Ranker =>
  (q, list) => {
    const top = list.slice(0, p.depth);
    return [...byScore(top.map((c) => ({ c, s: c.fused + p.wp * c.whole + p.ws * c.best + extra(q, c) }))), ...list.slice(p.depth)];
  };

const current = { wp: 1, ws: 3, depth: 20 };
choose('fused order, no re-scoring', [null], () => (_q, list) => list);
choose('current: passage 1, best sentence 3, top 20', [current], additive);

const weights = [0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6];
const pairs = weights.flatMap((wp) => weights.map((ws) => ({ wp, ws })));
const only = process.argv.slice(3).filter((a) => !a.startsWith('--'));
const run = (variant: string) => only.length === 0 || only.includes(variant);

// ── 1. A wider candidate pool ────────────────────────────────────────────────
if (run('depth')) {
  for (const depth of [30, 40, 60, 1000]) {
    choose(`top ${depth} fused re-scored, weights 1/3`, [{ ...current, depth }], additive);
    choose(`top ${depth} fused re-scored, weights re-chosen`, pairs.map((w) => ({ ...w, depth })), additive);
  }
  for (const depth of [20, 40, 80, 1000]) choose(`each list's best 80 (not 40), top ${depth} fused re-scored, weights 1/3`, [{ ...current, depth }], additive, () => true);
}

if (run('union')) {
  for (const n of [10, 20, 30]) {
    const union =
      (p: { wp: number; ws: number }): Ranker =>
      (_q, list) => {
        const top20 = new Set(list.slice(0, 20));
        const inUnion = (c: Scored) => top20.has(c) || (c.vectorRank ?? Infinity) <= n || (c.textRank ?? Infinity) <= n;
        return [...byScore(list.filter(inUnion).map((c) => ({ c, s: c.fused + p.wp * c.whole + p.ws * c.best }))), ...list.filter((c) => !inUnion(c))];
      };
    choose(`top 20 fused ∪ each list's top ${n}, weights 1/3`, [current], union);
    choose(`top 20 fused ∪ each list's top ${n}, weights re-chosen`, pairs, union);
  }
}

if (run('leg')) {
  // A third list: the passages nearest the question by the sentence encoder
  // over every chunk, as a dense leg on the encoder's vectors would return
  // them; those neither list found have no lexical evidence (fused 0).
  const ids = Object.keys(chunks);
  const nearest = new Map<Question, Scored[]>();
  const legOf = (q: Question) => {
    if (!nearest.has(q)) {
      const zero: Candidate = { chunkId: '', fused: 0, score: 0, evidence: { bm25: 0, coverage: 0, proximity: 0, window: 0, morphology: 0 } };
      nearest.set(q, ids.map((id) => scoredAgainst(q.vector, { ...zero, chunkId: id })).sort((a, b) => b.whole + 3 * b.best - (a.whole + 3 * a.best)));
    }
    return nearest.get(q)!;
  };
  const withLeg =
    (p: { m: number }): Ranker =>
    (q, list) => {
      const top = list.slice(0, 20);
      const inTop = new Set(top.map((c) => c.chunkId));
      const extra = legOf(q).slice(0, p.m).filter((s) => !inTop.has(s.chunkId)).map((s) => list.find((c) => c.chunkId === s.chunkId) ?? s);
      const rescored = byScore([...top, ...extra].map((c) => ({ c, s: c.fused + c.whole + 3 * c.best })));
      const taken = new Set(rescored.map((c) => c.chunkId));
      return [...rescored, ...list.slice(20).filter((c) => !taken.has(c.chunkId))];
    };
  choose('top 20 fused ∪ the sentence encoder\'s nearest m passages (a third list)', [0, 1, 2, 3, 5, 10, 20].map((m) => ({ m })), withLeg);
}

// ── 2. Query-term proximity inside the passage ───────────────────────────────
if (run('proximity')) {
  // The densest span of question terms: max over spans of (distinct terms' IDF mass) / √(span length in words), over Σ idf.
  const wordsOf = new Map<string, string[]>();
  const words = (text: string) => wordsOf.get(text) ?? wordsOf.set(text, text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).get(text)!;
  const matches = (word: string, lexeme: string) => word === lexeme || word.startsWith(lexeme.slice(0, Math.max(4, Math.min(lexeme.length, 6))));
  const span = (q: Question, c: Scored) => {
    const hits: { position: number; term: number }[] = [];
    words(chunks[c.chunkId]!.text).forEach((word, position) => q.terms.forEach((t, term) => matches(word, t.lexeme) && hits.push({ position, term })));
    let best = 0;
    for (let i = 0; i < hits.length; i++) {
      const seen = new Set<number>();
      let mass = 0;
      for (let j = i; j < hits.length; j++) {
        if (!seen.has(hits[j]!.term)) {
          seen.add(hits[j]!.term);
          mass += q.terms[hits[j]!.term]!.idf;
        }
        best = Math.max(best, mass / Math.sqrt(hits[j]!.position - hits[i]!.position + 1));
      }
    }
    return q.idfTotal > 0 ? best / q.idfTotal : 0;
  };
  choose('+ w · densest span of question terms', [0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 8].map((w) => ({ ...current, w })), (p) => additive(p, (q, c) => p.w * span(q, c)));

  // The best sentence chosen on meaning and words together.
  const sharesOf = new Map<string, number[]>();
  const shares = (q: Question, c: Scored) => {
    const key = `${q.question}\u0000${c.chunkId}`;
    if (!sharesOf.has(key)) {
      sharesOf.set(key, splitSentences(chunks[c.chunkId]!.text).map((s) => {
        const ws = words(s);
        const mass = q.terms.filter((t) => ws.some((w) => matches(w, t.lexeme))).reduce((a, t) => a + t.idf, 0);
        return q.idfTotal > 0 ? mass / q.idfTotal : 0;
      }));
    }
    return sharesOf.get(key)!;
  };
  const sentenceLexical =
    (p: { lambda: number; wp: number; ws: number; depth: number }): Ranker =>
    (q, list) => {
      const top = list.slice(0, p.depth);
      return [
        ...byScore(top.map((c) => {
          const share = shares(q, c);
          const best = c.sentenceCos.length === share.length && share.length > 0 ? Math.max(...c.sentenceCos.map((x, i) => x + p.lambda * share[i]!)) : c.best;
          return { c, s: c.fused + p.wp * c.whole + p.ws * best };
        })),
        ...list.slice(p.depth),
      ];
    };
  choose('best sentence by cos + λ · its IDF share of the question', [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1].flatMap((lambda) => [2, 3, 4].map((ws) => ({ lambda, wp: 1, ws, depth: 20 }))), sentenceLexical);
}

// ── 3. Rank fusion instead of adding scores ──────────────────────────────────
if (run('rrf')) {
  const rrf =
    (p: { k: number; depth: number; semantic: number }): Ranker =>
    (_q, list) => {
      const top = list.slice(0, p.depth);
      const semanticRank = new Map([...top].sort((a, b) => b.whole + 3 * b.best - (a.whole + 3 * a.best)).map((c, i) => [c, i + 1]));
      return [...byScore(top.map((c, i) => ({ c, s: 1 / (p.k + i + 1) + p.semantic / (p.k + semanticRank.get(c)!) }))), ...list.slice(p.depth)];
    };
  choose('RRF of the fused order and the semantic order (1/3)', [1, 2, 5, 10, 20, 30, 60].flatMap((k) => [0.5, 1, 1.5, 2, 3].flatMap((semantic) => [20, 30, 40].map((depth) => ({ k, semantic, depth })))), rrf);
}

// ── 4. Other ideas ───────────────────────────────────────────────────────────
if (run('normalised')) {
  // Score normalisation before the sum (CombSUM): the semantic score's spread
  // differs a lot between questions, the fused score's less so.
  const normalise = (xs: number[], how: 'z' | 'minmax') => {
    if (how === 'minmax') {
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      return xs.map((x) => (hi > lo ? (x - lo) / (hi - lo) : 0));
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) || 1;
    return xs.map((x) => (x - mean) / sd);
  };
  const combined =
    (p: { fused: 'z' | 'minmax' | 'raw'; semantic: 'z' | 'minmax'; wp: number; ws: number; w: number; depth: number }): Ranker =>
    (_q, list) => {
      const top = list.slice(0, p.depth);
      const f = p.fused === 'raw' ? top.map((c) => c.fused) : normalise(top.map((c) => c.fused), p.fused);
      const s = normalise(top.map((c) => p.wp * c.whole + p.ws * c.best), p.semantic);
      return [...byScore(top.map((c, i) => ({ c, s: f[i]! + p.w * s[i]! }))), ...list.slice(p.depth)];
    };
  const ws = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1, 1.25, 1.5, 2, 2.5, 3];
  const inside = [[0, 1], [1, 1], [1, 2], [1, 3], [1, 4], [1, 6]] as const;
  for (const how of ['z', 'minmax'] as const) {
    choose(`semantic (1/3) ${how}-normalised over the top 20, weight w`, ws.map((w) => ({ fused: 'raw' as const, semantic: how, wp: 1, ws: 3, w, depth: 20 })), combined);
    choose(`semantic ${how}-normalised, w and passage/sentence weights re-chosen`, ws.flatMap((w) => inside.map(([wp, s]) => ({ fused: 'raw' as const, semantic: how, wp, ws: s, w, depth: 20 }))), combined);
    choose(`semantic ${how}-normalised, w, passage/sentence weights and depth re-chosen`, [10, 15, 20, 25, 30].flatMap((depth) => ws.flatMap((w) => inside.map(([wp, s]) => ({ fused: 'raw' as const, semantic: how, wp, ws: s, w, depth })))), combined);
    choose(`fused and semantic (1/3) both ${how}-normalised, weight w`, ws.map((w) => ({ fused: how, semantic: how, wp: 1, ws: 3, w, depth: 20 })), combined);
  }
}

if (run('sentences')) {
  // The best sentence with its neighbours.
  const withNeighbours = (n: number) => (_q: Question, c: Scored) => {
    if (!c.sentenceCos.length) return 0;
    let best = -Infinity;
    c.sentenceCos.forEach((x, i) => {
      const around = [c.sentenceCos[i - 1], c.sentenceCos[i + 1]].filter((y): y is number => y !== undefined);
      best = Math.max(best, x + n * (around.length ? around.reduce((a, b) => a + b, 0) / around.length : x));
    });
    return best - c.best;
  };
  choose('best sentence + n · mean of its neighbours', [0, 0.1, 0.2, 0.3, 0.5, 1].flatMap((n) => [2, 3, 4].map((ws) => ({ wp: 1, ws, depth: 20, n }))), (p) => additive(p, (q, c) => p.ws * withNeighbours(p.n)(q, c)));
  // A soft maximum over sentences: t · log Σ exp(cos / t); t = 0 is the hard maximum.
  const soft = (t: number) => (_q: Question, c: Scored) => (t === 0 || !c.sentenceCos.length ? 0 : t * Math.log(c.sentenceCos.reduce((a, x) => a + Math.exp((x - c.best) / t), 0)));
  choose('soft maximum over sentences (temperature t)', [0, 0.005, 0.01, 0.02, 0.05, 0.1].map((t) => ({ ...current, t })), (p) => additive(p, (q, c) => p.ws * soft(p.t)(q, c)));
  // Sentences split without breaking after "St.", "c.", "e.g.", initials (re-encoded in the cache).
  const resplit = new Map(questions.map((q) => [q, q.candidates.map((c) => scoredAgainst(q.vector, c, chunks[c.chunkId]!.abbreviationAware))]));
  const changed = Object.values(chunks).filter((c) => c.abbreviationAware).length;
  choose(`abbreviation-aware sentence splitting (${changed} chunks re-split), weights 1/3`, [current], (p) => (q, list) => additive(p)(q, resplit.get(q)!.filter((c) => list.some((l) => l.chunkId === c.chunkId))));
}

if (run('question')) {
  // The question without its wh-phrase ("When did X begin?" → "X begin"), mixed into the question's vector (α).
  const mixed = new Map<string, Scored[]>();
  const ranker =
    (p: { alpha: number; wp: number; ws: number }): Ranker =>
    (q, list) => {
      const key = `${q.question}\u0000${p.alpha}`;
      if (!mixed.has(key)) {
        const a = unit(q.vector);
        const b = unit(q.stripped);
        const vector = a.map((x, i) => (1 - p.alpha) * x + p.alpha * b[i]!);
        mixed.set(key, q.candidates.map((c) => scoredAgainst(vector, c)));
      }
      const rescored = mixed.get(key)!.filter((c) => list.some((l) => l.chunkId === c.chunkId));
      return additive({ ...p, depth: 20 })(q, rescored);
    };
  choose('question without its wh-phrase mixed in (α), weights 1/3', [0, 0.25, 0.5, 0.75, 1].map((alpha) => ({ alpha, wp: 1, ws: 3 })), ranker);
  choose('question without its wh-phrase mixed in (α), weights re-chosen', [0, 0.25, 0.5, 0.75, 1].flatMap((alpha) => [[1, 3], [1, 2], [1, 4], [0.5, 3], [2, 3]].map(([wp, ws]) => ({ alpha, wp: wp!, ws: ws! }))), ranker);

  // Rocchio feedback: the question's vector moved towards the best k passages of the first re-scoring (β), then re-scored again.
  const feedback =
    (p: { k: number; beta: number }): Ranker =>
    (q, list) => {
      const first = additive(current)(q, list);
      if (p.beta === 0) return first;
      const top = first.slice(0, p.k).map((c) => unit(chunks[c.chunkId]!.passage));
      const moved = unit(q.vector).map((x, i) => x + (p.beta * top.reduce((a, v) => a + v[i]!, 0)) / top.length);
      return additive(current)(q, list.map((c) => scoredAgainst(moved, c)));
    };
  choose('Rocchio feedback from the best k passages (β)', [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1].flatMap((beta) => [1, 2, 3, 5].map((k) => ({ k, beta }))), feedback);

  // Answer-type cue: when / how many / who questions, and whether the best sentence holds a year or date, a number, a name not in the question.
  const kind = (question: string): 'time' | 'number' | 'person' | undefined => {
    const s = question.toLowerCase();
    if (/\b(when|what year|which year|what century|what date)\b/.test(s)) return 'time';
    if (/\bhow (many|much|long|old|far|large|big)\b|\bwhat (percentage|number|amount)\b/.test(s)) return 'number';
    if (/\bwho(m|se)?\b/.test(s)) return 'person';
    return undefined;
  };
  const cue = (q: Question, c: Scored) => {
    const k = kind(q.question);
    if (!k) return 0;
    const sentence = splitSentences(chunks[c.chunkId]!.text)[c.bestIndex] ?? '';
    if (k === 'time') return /\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(century|january|february|march|april|may|june|july|august|september|october|november|december)\b/i.test(sentence) ? 1 : 0;
    if (k === 'number') return /\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion)\b/i.test(sentence) ? 1 : 0;
    const questionWords = new Set(q.question.toLowerCase().match(/\p{L}+/gu) ?? []);
    return sentence.split(/\s+/).slice(1).some((w) => /^\p{Lu}\p{L}+/u.test(w) && !questionWords.has(w.toLowerCase().replace(/\P{L}/gu, ''))) ? 1 : 0;
  };
  choose('+ w · answer-type cue in the best sentence', [0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2].map((w) => ({ ...current, w })), (p) => additive(p, (q, c) => p.w * cue(q, c)));

  // The offline embedder's cosine as a third term (its fusion weight is 0).
  choose('+ w · hashed-embedder cosine', [0, 0.25, 0.5, 1, 1.5, 2, 3].map((w) => ({ ...current, w })), (p) => additive(p, (_q, c) => p.w * c.score));

  // Cosines after removing the mean direction of the tuning articles' vectors (anisotropy).
  const tuningParagraphs = new Set(questions.filter((q) => q.tuning).map((q) => q.paragraphId));
  const all = Object.values(chunks).filter((c) => tuningParagraphs.has(c.paragraphId)).flatMap((c) => [c.passage, ...c.sentences]).map(unit);
  const mean = all.reduce((acc, v) => acc.map((x, i) => x + v[i]! / all.length), new Array<number>(all[0]!.length).fill(0));
  const centre = (v: number[]) => unit(v).map((x, i) => x - mean[i]!);
  const centred = new Map<Question, Map<string, { whole: number; best: number }>>();
  const centredOf = (q: Question, c: Scored) => {
    if (!centred.has(q)) centred.set(q, new Map());
    const own = centred.get(q)!;
    if (!own.has(c.chunkId)) {
      const qv = q.vector.map((x, i) => x - mean[i]! * Math.sqrt(q.vector.reduce((a, y) => a + y * y, 0)));
      const chunk = chunks[c.chunkId]!;
      const whole = cosineSimilarity(qv, centre(chunk.passage));
      own.set(c.chunkId, { whole, best: chunk.sentences.length ? Math.max(...chunk.sentences.map((s) => cosineSimilarity(qv, centre(s)))) : whole });
    }
    return own.get(c.chunkId)!;
  };
  const centredRanker =
    (p: { wp: number; ws: number }): Ranker =>
    (q, list) => {
      const top = list.slice(0, 20);
      return [...byScore(top.map((c) => ({ c, s: c.fused + p.wp * centredOf(q, c).whole + p.ws * centredOf(q, c).best }))), ...list.slice(20)];
    };
  choose('centred cosines (mean direction of the tuning articles removed), weights re-chosen', pairs, centredRanker);
}
