import type { ServerResponse } from 'node:http';
import { ChatScript, estimateTokens, piecesOf, tokensOf, toolCallParts, type ChatCall } from './chatScript.js';
import { ProtocolTestServer, sendJson, type TestRequest } from './protocolTestServer.js';

// A real HTTP server speaking Anthropic's Messages API (POST /v1/messages,
// streamed as named SSE events, and GET /v1/models), so @anthropic-ai/sdk runs
// unmodified against it. Replies are scripted through `chat`, like the OpenAI
// test server's.

/** The content blocks tool use adds to a turn. */
export type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | { type: 'text'; text: string }[]; is_error?: boolean }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } };

// What the Messages API accepts in a base64 image block.
const IMAGE_MEDIA_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export interface AnthropicMessagesBody {
  model: string;
  system?: string;
  messages: { role: 'user' | 'assistant'; content: string | AnthropicBlock[] }[];
  tools?: { name: string; description?: string; input_schema: unknown }[];
  tool_choice?: { type: string };
  max_tokens: number;
  stream?: boolean;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export class AnthropicTestServer extends ProtocolTestServer {
  readonly chat = new ChatScript();
  models = ['claude-test-1'];
  /** The key requests must carry (x-api-key, or a bearer token as SDK 1.x sends); others get 401. Null accepts any. */
  requiredKey: string | null = null;

  constructor() {
    super();
    this.route('POST', '/v1/messages', (request, response) => this.answerMessages(request, response));
    this.route('GET', '/v1/models', (request, response) => {
      if (!this.authorised(request, response)) return;
      const data = this.models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' }));
      sendJson(response, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    });
  }

  protected errorBody(message: string, code: string): unknown {
    return anthropicError(code === 'not_found' ? 404 : 400, message);
  }

  /** What to pass to the SDK as baseURL (it appends /v1/...). */
  get baseUrl(): string {
    return this.origin;
  }

  messageRequests(): (TestRequest & { body: AnthropicMessagesBody })[] {
    return this.requests.filter((r) => r.path === '/v1/messages') as (TestRequest & { body: AnthropicMessagesBody })[];
  }

  private authorised(request: TestRequest, response: ServerResponse): boolean {
    if (this.requiredKey === null || apiKeyOf(request) === this.requiredKey) return true;
    sendJson(response, 401, anthropicError(401, 'invalid x-api-key'));
    return false;
  }

  private async answerMessages(request: TestRequest, response: ServerResponse): Promise<void> {
    if (!this.authorised(request, response)) return;
    const body = request.body as Partial<AnthropicMessagesBody> | undefined;
    if (!body?.model || !Array.isArray(body.messages) || typeof body.max_tokens !== 'number') {
      sendJson(response, 400, anthropicError(400, 'model, messages and max_tokens are required'));
      return;
    }
    if (body.messages[0]?.role !== 'user' || body.messages.some((m, i) => i > 0 && m.role === body.messages![i - 1]!.role)) {
      sendJson(response, 400, anthropicError(400, 'messages: roles must alternate between "user" and "assistant", starting with "user"'));
      return;
    }
    const badImage = invalidImage(body.messages);
    if (badImage) {
      sendJson(response, 400, anthropicError(400, badImage));
      return;
    }
    const unanswered = unansweredToolUse(body.messages);
    if (unanswered) {
      sendJson(response, 400, anthropicError(400, `messages: tool_use ids were found without tool_result blocks immediately after: ${unanswered}`));
      return;
    }
    const call: ChatCall = {
      model: body.model,
      system: body.system,
      messages: body.messages.map((m) => ({ role: m.role, content: flatAnthropicContent(m.content) })),
      tools: (body.tools ?? []).map((t) => ({ name: t.name, description: t.description, parameters: t.input_schema })),
      toolChoice: body.tool_choice?.type,
      maxTokens: body.max_tokens,
      stream: body.stream === true,
    };
    const reply = this.chat.next(call);
    if ('status' in reply) {
      sendJson(response, reply.status, anthropicError(reply.status, reply.message ?? `scripted failure ${reply.status}`), reply.retryAfter ? { 'retry-after': reply.retryAfter } : {});
      return;
    }
    if (reply.headersDelayMs) await this.delay(reply.headersDelayMs);
    const tokens = tokensOf(reply.text);
    const toolCalls = (reply.toolCalls ?? []).map(toolCallParts);
    const inputTokens = estimateTokens([body.system ?? '', ...call.messages.map((m) => m.content)].join('\n'));
    const outputTokens = tokens.length + toolCalls.length * 8;
    const id = `msg_${Math.random().toString(36).slice(2)}`;
    const stopReason = toolCalls.length > 0 ? 'tool_use' : reply.finishReason === 'length' ? 'max_tokens' : 'end_turn';
    if (!call.stream) {
      const content = [
        ...(reply.text || toolCalls.length === 0 ? [{ type: 'text', text: reply.text }] : []),
        ...toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.json) as unknown })),
      ];
      sendJson(response, 200, {
        id, type: 'message', role: 'assistant', model: body.model, content,
        stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: outputTokens },
      });
      return;
    }
    const watch = this.chat.watch(response);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (event: string, data: object) => response.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    send('message_start', {
      message: { id, type: 'message', role: 'assistant', content: [], model: body.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } },
    });
    send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    send('ping', {});
    const finished = await this.streamTokens(
      response,
      tokens,
      reply,
      (token) => send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: token } }),
      () => send('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
    );
    if (!finished) return;
    send('content_block_stop', { index: 0 });
    // Each tool_use block after the text: its input as JSON text in pieces, as Anthropic streams it.
    for (const [i, c] of toolCalls.entries()) {
      const index = i + 1;
      send('content_block_start', { index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } });
      for (const piece of piecesOf(c.json)) send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
      send('content_block_stop', { index });
    }
    send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
    send('message_stop', {});
    watch.finished();
    response.end();
  }
}

/** A turn's content as text: tool uses as `name(input)`, tool results as their text. */
function flatAnthropicContent(content: string | AnthropicBlock[]): string {
  if (typeof content === 'string') return content;
  return content
    .map((block) => {
      if (block.type === 'text') return block.text;
      if (block.type === 'tool_use') return `${block.name}(${JSON.stringify(block.input)})`;
      if (block.type === 'image') return '';
      return typeof block.content === 'string' ? block.content : block.content.map((b) => b.text).join('');
    })
    .join('\n');
}

/** Why Anthropic would refuse an image block of the request, if it would. */
function invalidImage(messages: AnthropicMessagesBody['messages']): string | undefined {
  for (const message of messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type !== 'image') continue;
      if (message.role !== 'user') return 'messages: image blocks are only allowed in user turns';
      if (block.source?.type !== 'base64' || !IMAGE_MEDIA_TYPES.has(block.source.media_type)) return `messages: image source must be base64 with a media_type of ${[...IMAGE_MEDIA_TYPES].join(', ')}`;
      if (!block.source.data || Buffer.from(block.source.data, 'base64').length > MAX_IMAGE_BYTES) return 'messages: image exceeds 5 MB maximum';
    }
  }
  return undefined;
}

/** The first tool_use id whose result is not in the next user turn, which Anthropic refuses. */
function unansweredToolUse(messages: AnthropicMessagesBody['messages']): string | undefined {
  for (const [i, message] of messages.entries()) {
    if (typeof message.content === 'string') continue;
    const next = messages[i + 1]?.content;
    for (const block of message.content) {
      if (block.type !== 'tool_use') continue;
      const answered = Array.isArray(next) && next.some((b) => b.type === 'tool_result' && b.tool_use_id === block.id);
      if (!answered) return block.id;
    }
  }
  return undefined;
}

/** The key a request carries: x-api-key, or the bearer token Anthropic's SDK 1.x sends. */
export function apiKeyOf(request: TestRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  return request.headers.authorization?.replace(/^Bearer /, '');
}

export function anthropicError(status: number, message: string): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } };
}
