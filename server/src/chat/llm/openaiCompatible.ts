import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { countTokensRemembered as countTokens } from '../../ingestion/chunk/tokenCounter.js';
import { httpFetch } from '../../lib/httpFetch.js';
import type { ChatMessage, ChatProvider, ChatRequest, ChatStreamEvent, ConnectionCheck, ProviderEndpoint, ToolCallRequest, ToolDefinition } from './chatProvider.js';
import { imageTokens, ProviderError } from './chatProvider.js';
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
      fetch: httpFetch,
    });
  }

  streamChat(request: ChatRequest): AsyncGenerator<ChatStreamEvent> {
    return guardedStream(request, this.timeoutMs, (signal) => this.events(request, signal), (error) => toProviderError(error, OpenAI, 'The model provider'));
  }

  private async *events(request: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    const stream = await this.client.chat.completions.create(
      {
        model: request.model,
        messages: request.messages.map(toOpenAiMessage),
        temperature: request.temperature,
        max_tokens: request.maxTokens,
        ...(request.tools?.length ? { tools: request.tools.map(toOpenAiTool), tool_choice: request.toolChoice ?? 'auto' } : {}),
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    let finishReason: string | null = null;
    let usage: { promptTokens: number; completionTokens: number } | undefined;
    const toolCalls = new ToolCallAssembler();
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta?.content) yield { type: 'delta', text: choice.delta.content };
      for (const part of choice?.delta?.tool_calls ?? []) toolCalls.add(part.index, part.id, part.function?.name, part.function?.arguments);
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
    }
    if (!finishReason) throw new ProviderError('unavailable', 'The model stream ended before the answer was complete');
    for (const call of toolCalls.complete()) yield { type: 'tool_call', call };
    yield { type: 'done', finishReason, usage };
  }

  countTokens(messages: ChatMessage[], countedText = 0): number {
    return messages.reduce((sum, m) => sum + TOKENS_PER_MESSAGE + countTokens(textOf(m)) + imageTokens(m), 3 + countedText);
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

/** What a message costs in tokens: its text plus the tool requests it carries. */
export function textOf(message: ChatMessage): string {
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return [message.content, ...message.toolCalls.map((c) => `${c.name}(${c.arguments})`)].join('\n');
  }
  return message.content;
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content || null,
        tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
      };
    case 'user':
      if (!message.images?.length) return { role: 'user', content: message.content };
      // OpenAI's image parts: data URLs in image_url parts after the text.
      return {
        role: 'user',
        content: [
          { type: 'text', text: message.content },
          ...message.images.map((image) => ({ type: 'image_url' as const, image_url: { url: `data:${image.mimeType};base64,${image.data}` } })),
        ],
      };
    default:
      return { role: message.role, content: message.content };
  }
}

function toOpenAiTool(tool: ToolDefinition): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

/**
 * OpenAI streams each tool call in pieces keyed by `index`: the id and name
 * first, then the arguments' JSON text split across any number of chunks.
 */
class ToolCallAssembler {
  private readonly calls = new Map<number, { id?: string; name: string; arguments: string }>();

  add(index: number, id: string | undefined, name: string | undefined, args: string | undefined): void {
    const call = this.calls.get(index) ?? { name: '', arguments: '' };
    if (id) call.id = id;
    if (name) call.name += name;
    if (args) call.arguments += args;
    this.calls.set(index, call);
  }

  complete(): ToolCallRequest[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => {
        if (!call.name) throw new ProviderError('unavailable', `The model asked for a tool without naming it (call ${index})`);
        return { id: call.id ?? `call_${index}`, name: call.name, arguments: call.arguments || '{}' };
      });
  }
}
