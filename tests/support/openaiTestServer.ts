import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP server that speaks the parts of OpenAI's API the tests need, so
// the official SDK runs unmodified against it: request building, base64
// decoding, error classes, retries, aborts. Behaviour is programmable per test
// (scripted failures, wrong sizes, slowness) and every request is recorded.
//
// Routes are plain handlers keyed by method and path; /v1/embeddings is built
// in, and other endpoints (e.g. streaming /v1/chat/completions) can be added
// with `route()` without touching this file.

export interface TestRequest {
  method: string;
  /** Path without the query string, e.g. /v1/embeddings. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
}

export type RouteHandler = (request: TestRequest, response: ServerResponse) => void | Promise<void>;

/** What the next embeddings request gets instead of a normal answer. Each scripted answer is used once. */
export type ScriptedEmbeddingsAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { wrongDimension: number }
  | { missingVectors: number };

export interface EmbeddingsRequestBody {
  input: string | string[];
  model: string;
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
}

export class OpenAiTestServer {
  /** Every request received, in order of arrival. */
  readonly requests: TestRequest[] = [];
  /** Vector size when the request does not ask for one with `dimensions`. */
  defaultDimension = 1536;
  /** Delay before every embeddings answer, to exercise timeouts and aborts. */
  latencyMs = 0;
  /** Answer with float arrays even when base64 was asked for, as some compatible servers do. */
  ignoreEncodingFormat = false;
  /** Refuse the `dimensions` field with a 400, as models without shortening do. */
  rejectDimensionsField = false;

  private readonly server: Server;
  private readonly routes = new Map<string, RouteHandler>();
  private readonly scripted: ScriptedEmbeddingsAnswer[] = [];
  private readonly pendingDelays = new Set<() => void>();

  constructor() {
    this.server = createServer((request, response) => void this.dispatch(request, response));
    this.route('POST', '/v1/embeddings', (request, response) => this.answerEmbeddings(request, response));
  }

  /** Adds or replaces the handler for one method and path. */
  route(method: string, path: string, handler: RouteHandler): this {
    this.routes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    return this;
  }

  /** What to pass to the SDK as baseURL. */
  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async close(): Promise<void> {
    // Requests a test abandoned (aborts, timeouts) would otherwise keep the server, and Jest, running.
    for (const finish of this.pendingDelays) finish();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues answers for the next embeddings requests, in order. */
  scriptEmbeddings(...answers: ScriptedEmbeddingsAnswer[]): this {
    this.scripted.push(...answers);
    return this;
  }

  /** The next `times` embeddings requests fail with `status`, optionally asking the client to wait. */
  failEmbeddings(status: number, times: number, options: { retryAfter?: string; retryAfterMs?: number; message?: string } = {}): this {
    const headers: Record<string, string> = {};
    if (options.retryAfter !== undefined) headers['retry-after'] = options.retryAfter;
    if (options.retryAfterMs !== undefined) headers['retry-after-ms'] = String(options.retryAfterMs);
    const body = openAiError(options.message ?? `scripted failure ${status}`, status === 429 ? 'rate_limit_exceeded' : 'server_error');
    for (let i = 0; i < times; i++) this.scripted.push({ status, headers, body });
    return this;
  }

  embeddingRequests(): (TestRequest & { body: EmbeddingsRequestBody })[] {
    return this.requests.filter((request) => request.path === '/v1/embeddings') as (TestRequest & { body: EmbeddingsRequestBody })[];
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.pendingDelays.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.pendingDelays.add(finish);
    });
  }

  private async dispatch(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    let request: TestRequest;
    try {
      request = await readRequest(incoming);
    } catch {
      sendJson(response, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_json'));
      return;
    }
    this.requests.push(request);
    const handler = this.routes.get(`${request.method} ${request.path}`);
    if (!handler) {
      sendJson(response, 404, openAiError(`Unknown route ${request.method} ${request.path}`, 'unknown_url'));
      return;
    }
    try {
      await handler(request, response);
    } catch (error) {
      if (!response.headersSent) sendJson(response, 500, openAiError(`test server handler failed: ${(error as Error).message}`, 'server_error'));
    }
  }

  private async answerEmbeddings(request: TestRequest, response: ServerResponse): Promise<void> {
    if (this.latencyMs > 0) await this.delay(this.latencyMs);
    if (response.destroyed) return;

    const scripted = this.scripted.shift();
    if (scripted && 'status' in scripted) {
      sendJson(response, scripted.status, scripted.body ?? openAiError('scripted failure', 'server_error'), scripted.headers);
      return;
    }

    const body = request.body as Partial<EmbeddingsRequestBody> | undefined;
    const inputs = typeof body?.input === 'string' ? [body.input] : body?.input;
    if (!body?.model || !Array.isArray(inputs) || inputs.some((input) => typeof input !== 'string')) {
      sendJson(response, 400, openAiError("'input' and 'model' are required", 'invalid_request_error'));
      return;
    }
    if (body.dimensions !== undefined && this.rejectDimensionsField) {
      sendJson(response, 400, openAiError('This model does not support specifying dimensions.', 'invalid_request_error'));
      return;
    }

    const dimension = scripted && 'wrongDimension' in scripted ? scripted.wrongDimension : (body.dimensions ?? this.defaultDimension);
    const count = scripted && 'missingVectors' in scripted ? Math.max(0, inputs.length - scripted.missingVectors) : inputs.length;
    const asBase64 = body.encoding_format === 'base64' && !this.ignoreEncodingFormat;
    const promptTokens = inputs.reduce((total, input) => total + Math.ceil(input.length / 4), 0);
    sendJson(response, 200, {
      object: 'list',
      data: inputs.slice(0, count).map((input, index) => {
        const vector = fakeEmbedding(input, dimension);
        return { object: 'embedding', index, embedding: asBase64 ? float32Base64(vector) : vector };
      }),
      model: body.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
  }
}

/**
 * The vector the test server returns for `text`: deterministic, unit length,
 * different for every text, so a test can tell which input a vector belongs to.
 */
export function fakeEmbedding(text: string, dimension: number): number[] {
  let seed = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const random = mulberry32(seed);
  const vector = Array.from({ length: dimension }, () => random() * 2 - 1);
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / norm);
}

/** OpenAI's base64 embedding format: little-endian float32 values. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

export function openAiError(message: string, code: string): { error: { message: string; type: string; param: null; code: string } } {
  return { error: { message, type: code === 'rate_limit_exceeded' ? 'requests' : 'invalid_request_error', param: null, code } };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers });
  response.end(payload);
}

async function readRequest(incoming: IncomingMessage): Promise<TestRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const url = new URL(incoming.url ?? '/', 'http://test.invalid');
  return {
    method: (incoming.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    headers: incoming.headers,
    body: raw.length > 0 ? JSON.parse(raw) : undefined,
  };
}

// Small seeded generator (Tommy Ettinger's mulberry32): reproducible vectors without a dependency.
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
