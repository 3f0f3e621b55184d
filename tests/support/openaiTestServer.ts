import type { ServerResponse } from 'node:http';
import { ChatScript, estimateTokens, piecesOf, tokensOf, toolCallParts, type ChatCall } from './chatScript.js';
import { ProtocolTestServer, sendJson, type TestRequest } from './protocolTestServer.js';

export { sendJson, type RouteHandler, type TestRequest } from './protocolTestServer.js';

// A real HTTP server that speaks the parts of OpenAI's API the tests need, so
// the official SDK runs unmodified against it: request building, base64
// decoding, error classes, retries, aborts. Behaviour is programmable per test
// (scripted failures, wrong sizes, slowness) and every request is recorded.
//
// Built in: /v1/embeddings, /v1/chat/completions (streaming with usage in the
// last chunk, as `stream_options.include_usage` asks, or not) and /v1/models.
// Other endpoints can be added with `route()` without touching this file.

/** What the next embeddings request gets instead of a normal answer. Each scripted answer is used once. */
export type ScriptedEmbeddingsAnswer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { wrongDimension: number }
  | { missingVectors: number };

export interface OpenAiChatMessage {
  role: string;
  /** Text as Atrium sends it; null at run time on an assistant turn that only asks for tools. */
  content: string;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface OpenAiChatBody {
  model: string;
  messages: OpenAiChatMessage[];
  tools?: { type: 'function'; function: { name: string; description?: string; parameters?: unknown } }[];
  tool_choice?: string | { type: string };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  temperature?: number;
}

export interface EmbeddingsRequestBody {
  input: string | string[];
  model: string;
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
}

export class OpenAiTestServer extends ProtocolTestServer {
  /** What chat requests get; script replies and failures here. */
  readonly chat = new ChatScript();
  /** What GET /v1/models lists. */
  models = ['test-chat-model', 'test-embedding-model'];
  /** Vector size when the request does not ask for one with `dimensions`. */
  defaultDimension = 1536;
  /** Delay before every embeddings answer, to exercise timeouts and aborts. */
  latencyMs = 0;
  /** The most embeddings requests that were being answered at once. */
  embeddingsPeakInFlight = 0;
  private embeddingsInFlight = 0;
  /** Answer with float arrays even when base64 was asked for, as some compatible servers do. */
  ignoreEncodingFormat = false;
  /** Refuse the `dimensions` field with a 400, as models without shortening do. */
  rejectDimensionsField = false;

  private readonly scripted: ScriptedEmbeddingsAnswer[] = [];

  constructor() {
    super();
    this.route('POST', '/v1/embeddings', (request, response) => this.answerEmbeddings(request, response));
    this.route('POST', '/v1/chat/completions', (request, response) => this.answerChat(request, response));
    this.route('GET', '/v1/models', (_request, response) =>
      sendJson(response, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'atrium-tests' })) }),
    );
  }

  protected errorBody(message: string, code: string): unknown {
    return openAiError(message, code);
  }

  /** What to pass to the SDK as baseURL. */
  get baseUrl(): string {
    return `${this.origin}/v1`;
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

  chatRequests(): (TestRequest & { body: OpenAiChatBody })[] {
    return this.requests.filter((request) => request.path === '/v1/chat/completions') as (TestRequest & { body: OpenAiChatBody })[];
  }

  private async answerChat(request: TestRequest, response: ServerResponse): Promise<void> {
    const body = request.body as Partial<OpenAiChatBody> | undefined;
    if (!body?.model || !Array.isArray(body.messages) || body.messages.length === 0) {
      sendJson(response, 400, openAiError("'model' and 'messages' are required", 'invalid_request_error'));
      return;
    }
    const badImage = invalidImagePart(body.messages);
    if (badImage) {
      sendJson(response, 400, openAiError(badImage, 'invalid_request_error'));
      return;
    }
    const unanswered = unansweredToolCall(body.messages);
    if (unanswered) {
      sendJson(response, 400, openAiError(`An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${unanswered}`, 'invalid_request_error'));
      return;
    }
    const call: ChatCall = {
      model: body.model,
      messages: body.messages.map((m) => ({ role: m.role, content: flatOpenAiContent(m) })),
      tools: (body.tools ?? []).map((t) => ({ name: t.function.name, description: t.function.description, parameters: t.function.parameters })),
      toolChoice: typeof body.tool_choice === 'string' ? body.tool_choice : body.tool_choice?.type,
      maxTokens: body.max_tokens,
      temperature: body.temperature,
      stream: body.stream === true,
    };
    const reply = this.chat.next(call);
    if ('status' in reply) {
      const code = reply.status === 429 ? 'rate_limit_exceeded' : reply.status === 401 ? 'invalid_api_key' : 'server_error';
      sendJson(response, reply.status, openAiError(reply.message ?? `scripted failure ${reply.status}`, code), reply.retryAfter ? { 'retry-after': reply.retryAfter } : {});
      return;
    }
    if (reply.headersDelayMs) await this.delay(reply.headersDelayMs);
    const tokens = tokensOf(reply.text);
    const toolCalls = (reply.toolCalls ?? []).map(toolCallParts);
    const usage = { prompt_tokens: estimateTokens(call.messages.map((m) => m.content).join('\n')), completion_tokens: tokens.length + toolCalls.length * 8, total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = toolCalls.length > 0 ? 'tool_calls' : (reply.finishReason ?? 'stop');
    if (!call.stream) {
      const message = {
        role: 'assistant',
        content: reply.text || (toolCalls.length > 0 ? null : ''),
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.json } })) } : {}),
      };
      sendJson(response, 200, { id, object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message, finish_reason: finishReason }], usage });
      return;
    }
    const watch = this.chat.watch(response);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (data: unknown) => response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    const chunk = (delta: object, finish: string | null) => ({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] });
    send(chunk({ role: 'assistant', content: '' }, null));
    const finished = await this.streamTokens(
      response,
      tokens,
      reply,
      (token) => send(chunk({ content: token }, null)),
      () => send({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }),
    );
    if (!finished) return;
    // Each call: id, type and name first, then its arguments split across chunks, as OpenAI streams them.
    for (const [index, c] of toolCalls.entries()) {
      send(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, null));
      for (const piece of piecesOf(c.json)) send(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
    }
    send(chunk({}, finishReason));
    if (body.stream_options?.include_usage && !reply.omitUsage) send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage });
    send('[DONE]');
    watch.finished();
    response.end();
  }

  private async answerEmbeddings(request: TestRequest, response: ServerResponse): Promise<void> {
    this.embeddingsPeakInFlight = Math.max(this.embeddingsPeakInFlight, ++this.embeddingsInFlight);
    try {
      if (this.latencyMs > 0) await this.delay(this.latencyMs);
    } finally {
      this.embeddingsInFlight--;
    }
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

/** Why OpenAI would refuse an image part of the request, if it would: only user turns, as an http(s) or base64 data URL of an image. */
function invalidImagePart(messages: OpenAiChatMessage[]): string | undefined {
  for (const message of messages) {
    const content: unknown = message.content;
    if (!Array.isArray(content)) continue;
    for (const part of content as { type: string; image_url?: { url?: string } }[]) {
      if (part.type !== 'image_url') continue;
      if (message.role !== 'user') return `Invalid 'messages': image_url parts are only allowed in user messages`;
      const url = part.image_url?.url ?? '';
      if (!/^https?:\/\//.test(url) && !/^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(url)) return "Invalid 'image_url.url': expected a URL or a base64 data URL of an image";
    }
  }
  return undefined;
}

/** A message's content as text: tool requests written out as `name(arguments)`. */
function flatOpenAiContent(message: OpenAiChatMessage): string {
  const content: unknown = message.content;
  const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((p: { text?: string }) => p.text ?? '').join('') : '';
  const calls = (message.tool_calls ?? []).map((c) => `${c.function.name}(${c.function.arguments})`);
  return [text, ...calls].filter(Boolean).join('\n');
}

/** The first tool_call id that no later `tool` message answers, as OpenAI refuses such requests. */
function unansweredToolCall(messages: OpenAiChatMessage[]): string | undefined {
  for (const [i, message] of messages.entries()) {
    for (const call of message.tool_calls ?? []) {
      if (!messages.slice(i + 1).some((m) => m.role === 'tool' && m.tool_call_id === call.id)) return call.id;
    }
  }
  return undefined;
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
