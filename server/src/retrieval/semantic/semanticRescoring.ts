import type { PrismaClient } from '../../db/database.js';
import type { Passage } from '../retrievePassages.js';
import type { SentenceEncoder } from './sentenceEncoder.js';
import { cosine } from './semanticVectors.js';
import { loadSemantics } from './semanticStore.js';

/**
 * Weights of the two semantic features added to the fused evidence score of
 * the best `depth` passages: cosine of the question with the passage, and
 * with its closest sentence (questions usually restate one sentence).
 * Chosen on the SQuAD subset's tuning articles only, with the lexical weights
 * left as they were; bench/qa/retrievalQuality.ts --semantic repeats the
 * measurement. Joint re-tuning of every weight raised the tuning articles
 * and lowered the held-out ones, so it was not kept.
 */
export const semanticWeights = { passage: 1, sentence: 3, depth: 20 } as const;

/** A question's vector, started early so it is ready when the candidates are. */
export type PreparedQuery = () => Promise<Float32Array>;

/**
 * Re-scores the best passages of a hybrid search with a sentence encoder's
 * vectors, stored per chunk by the enrichment job. All or nothing: when any
 * of the best `depth` passages has no vectors yet (a file still being
 * enriched, a base in another language) the fused order stands, since mixing
 * scored and unscored passages would rank them on different scales.
 */
export class SemanticRescorer {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly encoder: SentenceEncoder,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly weights: { passage: number; sentence: number; depth: number } = semanticWeights,
  ) {}

  /**
   * Starts encoding the question once the caller's first database round trip
   * is under way (setImmediate), so the two overlap. Nothing at all while no
   * chunk has vectors from this encoder (a fresh install, a base still being
   * enriched for the first time): the question is then not encoded.
   */
  prepare(question: string): PreparedQuery | undefined {
    const present = this.vectorsPresent();
    if (present === false) return undefined;
    let vector: Promise<Float32Array> | undefined;
    const encode = () => (vector ??= this.encoder.encode([question]).then(([v]) => v!));
    if (present) setImmediate(() => void encode().catch(() => undefined));
    return encode;
  }

  // Whether any chunk has vectors of this encoder, re-read once a minute; undefined until first known.
  private presence?: { at: number; value?: boolean };
  private vectorsPresent(): boolean | undefined {
    if (!this.presence || Date.now() - this.presence.at > 60_000) {
      const entry: { at: number; value?: boolean } = { at: Date.now(), value: this.presence?.value };
      this.presence = entry;
      this.prisma.chunkSemantics
        .findFirst({ where: { model: this.encoder.name }, select: { chunkId: true } })
        .then((row) => (entry.value = row !== null))
        .catch((error) => this.onError(error));
    }
    return this.presence.value;
  }

  /** Re-scores with a prepared question, or encodes the one given when the passages have vectors. */
  async rescore(question: PreparedQuery | string, passages: Passage[]): Promise<Passage[]> {
    const top = passages.slice(0, this.weights.depth);
    try {
      const stored = await loadSemantics(this.prisma, this.encoder.name, top.map((p) => BigInt(p.chunkId)));
      if (top.some((p) => !stored.has(p.chunkId))) return passages;
      const query = typeof question === 'string' ? (await this.encoder.encode([question]))[0]! : await question();
      const rescored = top
        .map((p) => {
          const vectors = stored.get(p.chunkId)!;
          const whole = cosine(query, vectors.passage);
          const closestSentence = vectors.sentences.length > 0 ? Math.max(...vectors.sentences.map((s) => cosine(query, s))) : whole;
          const semantic = this.weights.passage * whole + this.weights.sentence * closestSentence;
          return { ...p, fusedScore: p.fusedScore + semantic };
        })
        .sort((a, b) => b.fusedScore - a.fusedScore || b.score - a.score);
      return [...rescored, ...passages.slice(this.weights.depth)];
    } catch (error) {
      this.onError(error);
      return passages;
    }
  }
}
