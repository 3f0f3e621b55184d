import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';
import { countTokensRemembered as countTokens } from '../../ingestion/chunk/tokenCounter.js';
import { httpFetch } from '../../lib/httpFetch.js';
import type { ChatMessage, ChatProvider, ChatRequest, ChatStreamEvent, ConnectionCheck, ProviderEndpoint } from './chatProvider.js';
import { imageTokens, ProviderError } from './chatProvider.js';
import { checkConnection, textOf } from './openaiCompatible.js';
import { toProviderError } from './providerErrors.js';
import { guardedStream } from './streamWatchdog.js';

// Anthropic requires max_tokens; this is the fallback when the assistant sets none.
const DEFAULT_MAX_TOKENS = 1024;
// Claude's tokenizer is not published; cl100k undercounts it by roughly a tenth.
const CLAUDE_TOKEN_FACTOR = 1.1;

/**
 * Anthropic's Messages API through its official SDK. The assistant's
 * temperature is not sent: the current Messages API has retired the parameter
 * (SDK 1.x no longer accepts it).
 */
export class AnthropicProvider implements ChatProvider {
  private readonly client: Anthropic;
  private readonly timeoutMs: number;

  constructor(endpoint: ProviderEndpoint) {
    this.timeoutMs = endpoint.timeoutMs ?? 60_000;
    this.client = new Anthropic({
      apiKey: endpoint.apiKey ?? 'no-key',
      baseURL: endpoint.baseUrl ?? 'https://api.anthropic.com',
      maxRetries: 0,
      timeout: this.timeoutMs,
      fetch: httpFetch,
    });
  }

  streamChat(request: ChatRequest): AsyncGenerator<ChatStreamEvent> {
    return guardedStream(request, this.timeoutMs, (signal) => this.events(request, signal), (error) => toProviderError(error, Anthropic, 'Anthropic'));
  }

  private async *events(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const { system, messages } = toAnthropicMessages(request.messages);
    const stream = await this.client.messages.create(
      {
        model: request.model,
        system: system || undefined,
        messages,
        max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
        ...(request.tools?.length
          ? {
              tools: request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: { ...t.parameters, type: 'object' as const } })),
              tool_choice: { type: request.toolChoice ?? 'auto' },
            }
          : {}),
        stream: true,
      },
      { signal },
    );
    let promptTokens = 0;
    let completionTokens = 0;
    let finishReason: string | null = null;
    // tool_use blocks stream their input as JSON text in pieces, ended by content_block_stop.
    const toolBlocks = new Map<number, { id: string; name: string; json: string }>();
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start':
          promptTokens = event.message.usage.input_tokens + (event.message.usage.cache_read_input_tokens ?? 0) + (event.message.usage.cache_creation_input_tokens ?? 0);
          completionTokens = event.message.usage.output_tokens;
          break;
        case 'content_block_start':
          if (event.content_block.type === 'tool_use') toolBlocks.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: '' });
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta' && event.delta.text) yield { type: 'delta', text: event.delta.text };
          else if (event.delta.type === 'input_json_delta') {
            const block = toolBlocks.get(event.index);
            if (block) block.json += event.delta.partial_json;
          }
          break;
        case 'content_block_stop': {
          const block = toolBlocks.get(event.index);
          if (block) yield { type: 'tool_call', call: { id: block.id, name: block.name, arguments: block.json || '{}' } };
          break;
        }
        case 'message_delta':
          finishReason = event.delta.stop_reason ?? finishReason;
          completionTokens = event.usage.output_tokens;
          break;
        default:
          break;
      }
    }
    if (!finishReason) throw new ProviderError('unavailable', 'The Anthropic stream ended before the answer was complete');
    yield { type: 'done', finishReason: finishReasonName(finishReason), usage: { promptTokens, completionTokens } };
  }

  countTokens(messages: ChatMessage[], countedText = 0): number {
    return Math.ceil(messages.reduce((sum, m) => sum + 4 + countTokens(textOf(m)), countedText) * CLAUDE_TOKEN_FACTOR) + messages.reduce((sum, m) => sum + imageTokens(m), 0);
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const names: string[] = [];
      for await (const model of this.client.models.list({}, { signal })) names.push(model.id);
      return names.sort();
    } catch (error) {
      throw toProviderError(error, Anthropic, 'Anthropic');
    }
  }

  async testConnection(): Promise<ConnectionCheck> {
    return checkConnection(() => this.listModels(AbortSignal.timeout(Math.min(this.timeoutMs, 15_000))));
  }
}

/** One vocabulary for finish reasons: OpenAI's (stop, length, tool_calls), which the apps show. */
function finishReasonName(stopReason: string): string {
  if (stopReason === 'end_turn' || stopReason === 'stop_sequence') return 'stop';
  if (stopReason === 'max_tokens') return 'length';
  if (stopReason === 'tool_use') return 'tool_calls';
  return stopReason;
}

type AnthropicTurn = { role: 'user' | 'assistant'; content: string | ContentBlockParam[] };

/**
 * Anthropic takes the system prompt apart and wants strictly alternating
 * turns that start with the user; consecutive turns of one role are merged.
 * Tool requests become `tool_use` blocks of the assistant's turn and their
 * results `tool_result` blocks of the next user turn.
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system: string; messages: AnthropicTurn[] } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const turns: AnthropicTurn[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const turn = toAnthropicTurn(m);
    const last = turns.at(-1);
    if (!last || last.role !== turn.role) turns.push(turn);
    else if (typeof last.content === 'string' && typeof turn.content === 'string') last.content += `\n\n${turn.content}`;
    else last.content = [...blocksOf(last.content), ...blocksOf(turn.content)];
  }
  if (turns[0]?.role === 'assistant') turns.unshift({ role: 'user', content: '(conversation continues)' });
  return { system, messages: turns };
}

function toAnthropicTurn(m: Exclude<ChatMessage, { role: 'system' }>): AnthropicTurn {
  if (m.role === 'tool') {
    return { role: 'user', content: [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content, ...(m.isError ? { is_error: true } : {}) }] };
  }
  if (m.role === 'assistant' && m.toolCalls?.length) {
    const uses: ContentBlockParam[] = m.toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: parsedInput(c.arguments) }));
    return { role: 'assistant', content: m.content ? [{ type: 'text', text: m.content }, ...uses] : uses };
  }
  if (m.role === 'user' && m.images?.length) {
    // Anthropic's image blocks: base64 sources, placed before the text that asks about them.
    return {
      role: 'user',
      content: [...m.images.map((image): ContentBlockParam => ({ type: 'image', source: { type: 'base64', media_type: image.mimeType, data: image.data } })), { type: 'text', text: m.content }],
    };
  }
  return { role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content };
}

function blocksOf(content: string | ContentBlockParam[]): ContentBlockParam[] {
  return typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : content;
}

/** Anthropic wants the tool input as an object; a model's malformed JSON is passed on as the text it wrote. */
function parsedInput(args: string): unknown {
  try {
    const value: unknown = JSON.parse(args);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : { value };
  } catch {
    return { _raw: args };
  }
}
