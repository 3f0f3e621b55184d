import Anthropic from '@anthropic-ai/sdk';
import { countTokens } from '../../ingestion/chunk/tokenCounter.js';
import type { ChatMessage, ChatProvider, ChatRequest, ChatStreamEvent, ConnectionCheck, ProviderEndpoint } from './chatProvider.js';
import { ProviderError } from './chatProvider.js';
import { checkConnection } from './openaiCompatible.js';
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
        stream: true,
      },
      { signal },
    );
    let promptTokens = 0;
    let completionTokens = 0;
    let finishReason: string | null = null;
    for await (const event of stream) {
      switch (event.type) {
        case 'message_start':
          promptTokens = event.message.usage.input_tokens + (event.message.usage.cache_read_input_tokens ?? 0) + (event.message.usage.cache_creation_input_tokens ?? 0);
          completionTokens = event.message.usage.output_tokens;
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta' && event.delta.text) yield { type: 'delta', text: event.delta.text };
          break;
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

  countTokens(messages: ChatMessage[]): number {
    return Math.ceil(messages.reduce((sum, m) => sum + 4 + countTokens(m.content), 0) * CLAUDE_TOKEN_FACTOR);
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

/** One vocabulary for finish reasons: OpenAI's (stop, length), which the apps show. */
function finishReasonName(stopReason: string): string {
  if (stopReason === 'end_turn' || stopReason === 'stop_sequence') return 'stop';
  if (stopReason === 'max_tokens') return 'length';
  return stopReason;
}

/**
 * Anthropic takes the system prompt apart and wants strictly alternating
 * turns that start with the user; consecutive turns of one role are merged.
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system: string; messages: { role: 'user' | 'assistant'; content: string }[] } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const turns: { role: 'user' | 'assistant'; content: string }[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const last = turns.at(-1);
    if (last && last.role === m.role) last.content += `\n\n${m.content}`;
    else turns.push({ role: m.role, content: m.content });
  }
  if (turns[0]?.role === 'assistant') turns.unshift({ role: 'user', content: '(conversation continues)' });
  return { system, messages: turns };
}
