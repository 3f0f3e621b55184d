import { createEmbedder, EmbeddingError, type Embedder, type EmbedderLogger, type OpenAiEmbedderConfig } from '../../server/src/ingestion/embed/index.js';
import { decodeFloat32Base64 } from '../../server/src/ingestion/embed/openai/embeddingResponse.js';
import { planBatches } from '../../server/src/ingestion/embed/openai/requestBatches.js';
import { backoffDelayMs, maxRetryAfterMs, retryAfterMs } from '../../server/src/ingestion/embed/openai/retryTiming.js';
import { vectorNorm } from '../../server/src/ingestion/embed/vectorMath.js';
import { fakeEmbedding, float32Base64, OpenAiTestServer } from '../support/openaiTestServer.js';

const apiKey = 'sk-test-0123456789abcdef';

function texts(count: number, prefix = 'passage'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} ${i}: some chunk text`);
}

function expectVectorsFor(vectors: number[][], inputs: string[], dimension: number): void {
  expect(vectors).toHaveLength(inputs.length);
  vectors.forEach((vector, i) => {
    const expected = fakeEmbedding(inputs[i]!, dimension);
    expect(vector).toHaveLength(dimension);
    // float32 on the wire: equal to about 7 significant digits.
    const largestDifference = Math.max(...vector.map((value, k) => Math.abs(value - expected[k]!)));
    expect(largestDifference).toBeLessThan(1e-6);
    expect(vectorNorm(vector)).toBeCloseTo(1, 6);
  });
}

async function failureOf(promise: Promise<unknown>): Promise<EmbeddingError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof EmbeddingError)) throw new Error(`expected an EmbeddingError, got ${String(outcome)}`);
  return outcome;
}

describe('OpenAI-compatible embedder, through the real SDK and a real HTTP server', () => {
  let server: OpenAiTestServer;
  let warnings: { details: Record<string, unknown>; message: string }[];
  const logger: EmbedderLogger = { warn: (details, message) => warnings.push({ details, message }) };

  function embedder(overrides: Partial<OpenAiEmbedderConfig> = {}): Embedder {
    return createEmbedder(
      { kind: 'openai', baseUrl: server.baseUrl, apiKey, model: 'text-embedding-3-small', dimension: 256, backoff: { baseMs: 1, maxMs: 5 }, ...overrides },
      { logger },
    );
  }

  beforeEach(async () => {
    server = await new OpenAiTestServer().start();
    warnings = [];
  });
  afterEach(() => server.close());

  it('is named after the model and sends what OpenAI expects', async () => {
    const subject = embedder();
    expect(subject.name).toBe('openai:text-embedding-3-small');
    expect(subject.dimension).toBe(256);

    const inputs = texts(3);
    expectVectorsFor(await subject.embed(inputs, 'document'), inputs, 256);

    const [request] = server.embeddingRequests();
    expect(request!.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request!.body).toEqual({ model: 'text-embedding-3-small', input: inputs, encoding_format: 'base64', dimensions: 256 });
  });

  it('batches by count, keeps input order across batches', async () => {
    const inputs = texts(150);
    const vectors = await embedder({ batchSize: 64, concurrency: 1 }).embed(inputs, 'document');
    expect(server.embeddingRequests().map((request) => request.body.input.length)).toEqual([64, 64, 22]);
    expect(server.embeddingRequests().flatMap((request) => request.body.input)).toEqual(inputs);
    expectVectorsFor(vectors, inputs, 256);
  });

  it('also bounds a batch by its total characters', async () => {
    const inputs = Array.from({ length: 5 }, (_, i) => `${i}`.padEnd(400, 'x'));
    const vectors = await embedder({ batchSize: 64, maxBatchChars: 1000, concurrency: 1 }).embed(inputs, 'document');
    expect(server.embeddingRequests().map((request) => request.body.input.length)).toEqual([2, 2, 1]);
    expectVectorsFor(vectors, inputs, 256);
  });

  it('sends batches a few at a time, never more than `concurrency`, and keeps their order', async () => {
    server.latencyMs = 40;
    const inputs = texts(20);
    const vectors = await embedder({ batchSize: 2, concurrency: 3 }).embed(inputs, 'document');
    expect(server.embeddingRequests()).toHaveLength(10);
    expect(server.embeddingsPeakInFlight).toBe(3);
    expectVectorsFor(vectors, inputs, 256);
  });

  it('stops sending batches after one fails for good', async () => {
    const inputs = texts(20);
    server.failEmbeddings(400, 1, { message: 'bad input' });
    const error = await failureOf(embedder({ batchSize: 2, concurrency: 2 }).embed(inputs, 'document'));
    expect(error.code).toBe('rejected');
    // The failing batch and at most the one beside it went out; the other eight never did.
    expect(server.embeddingRequests().length).toBeLessThanOrEqual(2);
  });

  it('puts the prefixes a model card prescribes before queries and documents, and is named after them', async () => {
    server.defaultDimension = 256;
    const nomic = embedder({ model: 'nomic-embed-text', sendDimensions: false });
    expect(nomic.name).toMatch(/^openai:nomic-embed-text\+prefix-[0-9a-f]{8}$/);
    await nomic.embed(['who won?'], 'query');
    await nomic.embed(['The cup was won by Norwich.'], 'document');
    expect(server.embeddingRequests().map((r) => r.body.input)).toEqual([['search_query: who won?'], ['search_document: The cup was won by Norwich.']]);

    const e5 = embedder({ model: 'intfloat/multilingual-e5-large', sendDimensions: false });
    await e5.embed(['a question'], 'query');
    expect(server.embeddingRequests().at(-1)!.body.input).toEqual(['query: a question']);

    // Explicit prefixes win, and other prefixes are another embedder (its vectors differ).
    const custom = embedder({ model: 'nomic-embed-text', queryPrefix: 'Q: ', documentPrefix: '' });
    expect(custom.name).not.toBe(nomic.name);
    await custom.embed(['x'], 'query');
    await custom.embed(['y'], 'document');
    expect(server.embeddingRequests().slice(-2).map((r) => r.body.input)).toEqual([['Q: x'], ['y']]);
    // None for OpenAI's own models, and none when turned off.
    expect(embedder().name).toBe('openai:text-embedding-3-small');
    expect(embedder({ model: 'nomic-embed-text', queryPrefix: '', documentPrefix: '' }).name).toBe('openai:nomic-embed-text');
  });

  it('sends nothing for an empty list', async () => {
    expect(await embedder().embed([], 'query')).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('reads float answers, asked for or sent unasked by servers that ignore encoding_format', async () => {
    const inputs = texts(4);
    expectVectorsFor(await embedder({ encodingFormat: 'float' }).embed(inputs, 'document'), inputs, 256);
    expect(server.embeddingRequests()[0]!.body.encoding_format).toBe('float');

    server.ignoreEncodingFormat = true;
    expectVectorsFor(await embedder().embed(inputs, 'document'), inputs, 256);
    expect(server.embeddingRequests()[1]!.body.encoding_format).toBe('base64');
  });

  it('leaves out `dimensions` for models that cannot shorten vectors, unless told otherwise', async () => {
    server.defaultDimension = 768;
    server.rejectDimensionsField = true;
    const inputs = texts(2);
    expectVectorsFor(await embedder({ model: 'all-minilm', dimension: 768 }).embed(inputs, 'document'), inputs, 768);
    expect(server.embeddingRequests()[0]!.body).not.toHaveProperty('dimensions');

    const forced = await failureOf(embedder({ model: 'all-minilm', dimension: 768, sendDimensions: true }).embed(inputs, 'document'));
    expect(forced).toMatchObject({ code: 'rejected', status: 400 });
  });

  it('retries 429 answers, waiting as long as Retry-After asks, then succeeds', async () => {
    server.failEmbeddings(429, 2, { retryAfterMs: 80 });
    const inputs = texts(3);
    const started = Date.now();
    const vectors = await embedder().embed(inputs, 'document');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150); // two waits of 80 ms, although the backoff alone would be ≤ 5 ms
    expect(server.embeddingRequests()).toHaveLength(3);
    expectVectorsFor(vectors, inputs, 256);
    expect(warnings.map((warning) => warning.details)).toEqual([
      expect.objectContaining({ attempt: 1, status: 429, code: 'rate_limited', delayMs: 80 }),
      expect.objectContaining({ attempt: 2, status: 429, code: 'rate_limited', delayMs: 80 }),
    ]);
  });

  it('retries 5xx answers with backoff, then succeeds', async () => {
    server.failEmbeddings(500, 1).failEmbeddings(503, 1);
    const inputs = texts(70);
    const vectors = await embedder({ batchSize: 64, concurrency: 1 }).embed(inputs, 'document');
    // The first batch failed twice; the second went through at once.
    expect(server.embeddingRequests().map((request) => request.body.input.length)).toEqual([64, 64, 64, 6]);
    expectVectorsFor(vectors, inputs, 256);
    expect(warnings).toHaveLength(2);
    expect(JSON.stringify(warnings)).not.toContain(apiKey);
  });

  it('gives up after maxRetries with a typed error', async () => {
    server.failEmbeddings(503, 3);
    const upstream = await failureOf(embedder({ maxRetries: 2 }).embed(texts(2), 'document'));
    expect(upstream).toMatchObject({ name: 'EmbeddingError', code: 'upstream', status: 503 });
    expect(upstream.message).toMatch(/after 3 attempts/);
    expect(server.embeddingRequests()).toHaveLength(3);

    server.failEmbeddings(429, 2, { retryAfterMs: 1 });
    const limited = await failureOf(embedder({ maxRetries: 1 }).embed(texts(2), 'document'));
    expect(limited).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(server.embeddingRequests()).toHaveLength(3 + 2);
  });

  it('does not retry other 4xx answers, and keeps the key out of the error', async () => {
    server.scriptEmbeddings({ status: 400, body: { error: { message: 'This model maximum context length is 8192 tokens', type: 'invalid_request_error', code: null } } });
    const tooLong = await failureOf(embedder().embed(texts(1), 'document'));
    expect(tooLong).toMatchObject({ code: 'rejected', status: 400 });
    expect(tooLong.message).toMatch(/maximum context length/);
    expect(server.embeddingRequests()).toHaveLength(1);

    server.scriptEmbeddings({ status: 401, body: { error: { message: `Incorrect API key provided: ${apiKey}`, type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const badKey = await failureOf(embedder().embed(texts(1), 'document'));
    expect(badKey).toMatchObject({ code: 'rejected', status: 401 });
    expect(badKey.message).not.toContain(apiKey);
    expect(badKey.message).toContain('[redacted]');
    expect(server.embeddingRequests()).toHaveLength(2);
  });

  it('refuses vectors of the wrong size or number, without retrying', async () => {
    server.scriptEmbeddings({ wrongDimension: 128 });
    const wrongSize = await failureOf(embedder().embed(texts(2), 'document'));
    expect(wrongSize).toMatchObject({ code: 'dimension_mismatch' });
    expect(wrongSize.message).toMatch(/128 dimensions; 256 are configured/);

    server.scriptEmbeddings({ missingVectors: 1 });
    const tooFew = await failureOf(embedder().embed(texts(3), 'document'));
    expect(tooFew).toMatchObject({ code: 'bad_response' });
    expect(server.embeddingRequests()).toHaveLength(2);
  });

  it('reports an unreadable answer as a bad response', async () => {
    server.route('POST', '/v1/embeddings', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"object": "list", "data": [');
    });
    expect(await failureOf(embedder().embed(texts(1), 'document'))).toMatchObject({ code: 'bad_response' });
  });

  it('stops a slow request when the caller aborts', async () => {
    server.latencyMs = 5_000;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const aborted = await failureOf(embedder().embed(texts(2), 'document', controller.signal));
    expect(aborted.code).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops waiting between retries when the caller aborts', async () => {
    server.failEmbeddings(429, 5, { retryAfterMs: 30_000 });
    const controller = new AbortController();
    // Abort once the first attempt has been refused, while the embedder waits to retry (not at a fixed time: a loaded machine may not have sent it yet).
    const watch = setInterval(() => {
      if (server.embeddingRequests().length > 0) {
        clearInterval(watch);
        setTimeout(() => controller.abort(), 50);
      }
    }, 5);
    const started = Date.now();
    const aborted = await failureOf(embedder().embed(texts(2), 'document', controller.signal));
    expect(aborted.code).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.embeddingRequests()).toHaveLength(1);
  });

  it('retries a request that times out, then reports the provider as failing', async () => {
    server.latencyMs = 1_000;
    const timedOut = await failureOf(embedder({ timeoutMs: 100, maxRetries: 1 }).embed(texts(1), 'document'));
    expect(timedOut.code).toBe('upstream');
    expect(server.embeddingRequests()).toHaveLength(2);
  });

  it('reports an unreachable endpoint as upstream after retrying', async () => {
    const unreachable = server.baseUrl;
    await server.close();
    const failure = await failureOf(
      createEmbedder({ kind: 'openai', baseUrl: unreachable, apiKey, model: 'text-embedding-3-small', dimension: 256, maxRetries: 1, backoff: { baseMs: 1, maxMs: 1 } }).embed(texts(1), 'document'),
    );
    expect(failure.code).toBe('upstream');
    server = await new OpenAiTestServer().start(); // for afterEach
  });

  it('refuses configurations it cannot work with', () => {
    const base = { kind: 'openai' as const, baseUrl: 'http://127.0.0.1:1/v1', apiKey, model: 'm' };
    expect(() => createEmbedder({ ...base, dimension: 1000 })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() => createEmbedder({ ...base, dimension: 256, batchSize: 0 })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() => createEmbedder({ ...base, dimension: 256, model: ' ' })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});

describe('embedding request planning', () => {
  it('splits by count and by characters, never leaving a text out', () => {
    expect(planBatches(texts(5), { maxTexts: 2, maxCharacters: 1_000 })).toEqual([{ start: 0, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 5 }]);
    expect(planBatches(['aaaa', 'bbbbbbbbbb', 'cc', 'dd'], { maxTexts: 10, maxCharacters: 6 })).toEqual([{ start: 0, end: 1 }, { start: 1, end: 2 }, { start: 2, end: 4 }]);
    expect(planBatches([], { maxTexts: 10, maxCharacters: 6 })).toEqual([]);
  });

  it('backs off exponentially with jitter, within the ceiling', () => {
    const options = { baseMs: 100, maxMs: 1_000 };
    expect(backoffDelayMs(0, options, () => 0)).toBe(50);
    expect(backoffDelayMs(0, options, () => 1)).toBe(100);
    expect(backoffDelayMs(2, options, () => 0.5)).toBe(300);
    expect(backoffDelayMs(10, options, () => 1)).toBe(1_000);
  });

  it('reads Retry-After in milliseconds, seconds and as an HTTP date, clamped', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), () => now)).toBe(3_000);
    expect(retryAfterMs(new Headers({ 'retry-after': '86400' }))).toBe(maxRetryAfterMs);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });

  it('decodes OpenAI base64 vectors', () => {
    const vector = [0.5, -0.25, 1e-3, 0];
    expect(decodeFloat32Base64(float32Base64(vector)).map((value) => Number(value.toFixed(6)))).toEqual(vector);
  });
});
