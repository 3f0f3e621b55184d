import OpenAI from 'openai';
import { countTokens } from '../../ingestion/chunk/tokenCounter.js';
import type { ChatMessage, ChatProvider, ChatRequest, ChatStreamEvent, ConnectionCheck, ProviderEndpoint } from './chatProvider.js';
import { ProviderError } from './chatProvider.js';
import { toProviderError } from './providerErrors.js';
import { guardedStream } from './streamWatchdog.js';

// Chat messages cost a few tokens of framing each on OpenAI-style models.
const TOKENS_PER_MESSAGE = 4;

/**
 * Any server that speaks OpenAI's chat-completions protocol: OpenAI, Ollama,
 * vLLM, LM Studio, OpenRouter, LiteLLM. Retries are the chat pipeline's
 * decision (it knows whether a token already reached the user), so the SDK's
 * own are off.
 */
export class OpenAiCompatibleProvider implements ChatProvider {
  private readonly client: OpenAI;
  private readonly timeoutMs: number;

  constructor(endpoint: ProviderEndpoint) {
    this.timeoutMs = endpoint.timeoutMs ?? 60_000;
    this.client = new OpenAI({
      // Local servers (Ollama) take no key, but the SDK insists on one.
      apiKey: endpoint.apiKey ?? 'no-key',
      baseURL: endpoint.baseUrl ?? undefined,
      maxRetries: 0,
      timeout: this.timeoutMs,
    });
  }

  streamChat(request: ChatRequest): AsyncGenerator<ChatStreamEvent> {
    return guardedStream(request, this.timeoutMs, (signal) => this.events(request, signal), (error) => toProviderError(error, OpenAI, 'The model provider'));
  }

  private async *events(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const stream = await this.client.chat.completions.create(
      {
        model: request.model,
        messages: request.messages,
        temperature: request.temperature,
        max_tokens: request.maxTokens,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    let finishReason: string | null = null;
    let usage: { promptTokens: number; completionTokens: number } | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta?.content) yield { type: 'delta', text: choice.delta.content };
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
    }
    if (!finishReason) throw new ProviderError('unavailable', 'The model stream ended before the answer was complete');
    yield { type: 'done', finishReason, usage };
  }

  countTokens(messages: ChatMessage[]): number {
    return messages.reduce((sum, m) => sum + TOKENS_PER_MESSAGE + countTokens(m.content), 3);
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const names: string[] = [];
      for await (const model of this.client.models.list({ signal })) names.push(model.id);
      return names.sort();
    } catch (error) {
      throw toProviderError(error, OpenAI, 'The model provider');
    }
  }

  async testConnection(): Promise<ConnectionCheck> {
    return checkConnection(() => this.listModels(AbortSignal.timeout(Math.min(this.timeoutMs, 15_000))));
  }
}

/** Times a model listing and turns its outcome into a report; never throws. */
export async function checkConnection(list: () => Promise<string[]>): Promise<ConnectionCheck> {
  const started = performance.now();
  try {
    const models = await list();
    return { ok: true, latencyMs: Math.round(performance.now() - started), models };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}
