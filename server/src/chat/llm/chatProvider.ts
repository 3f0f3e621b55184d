// One interface for every model provider (SPEC "Providers"): the chat
// pipeline, the provider console's "test connection" and the model list all
// speak to a provider through it. Adapters live beside this file, one per
// ProviderKind, and are chosen by createChatProvider (registry.ts).

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A tool the model asked for: `arguments` is the JSON text the model wrote, unparsed. */
export interface ToolCallRequest {
  id: string;
  name: string;
  arguments: string;
}

/**
 * A turn of the conversation as every adapter takes it. Tool turns follow the
 * assistant turn that asked for them; adapters translate them into their
 * provider's shape (OpenAI `tool` messages, Anthropic `tool_result` blocks).
 */
export type ChatMessage =
  | { role: 'system'; content: string }
  /** `images`: attached images for a model with vision, sent as image parts in the provider's format. */
  | { role: 'user'; content: string; images?: ImagePart[] }
  | { role: 'assistant'; content: string; toolCalls?: ToolCallRequest[] }
  | { role: 'tool'; content: string; toolCallId: string; name: string; isError?: boolean };

/** An image for a vision model, already resized to the providers' limits (chat/imageParts.ts). */
export interface ImagePart {
  mimeType: 'image/jpeg' | 'image/png';
  /** Base64 of the bytes. */
  data: string;
}

/**
 * What an image is counted as before the provider reports usage: about what
 * both providers charge for an image at the size we send (Anthropic
 * ≈ width×height/750 for 1568 px long edges; OpenAI high detail ≤ 1,105).
 */
export const IMAGE_TOKEN_ESTIMATE = 1600;

export const imageTokens = (message: ChatMessage): number => (message.role === 'user' ? (message.images?.length ?? 0) * IMAGE_TOKEN_ESTIMATE : 0);

/** A tool offered to the model: its name, what it does, and its arguments as a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  /** The provider's own model name (Model.name). */
  model: string;
  /** System message(s) first, then the conversation in order. */
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Tools the model may ask for; none means a plain completion. */
  tools?: ToolDefinition[];
  /** 'none' keeps the tools visible (earlier calls refer to them) but asks for text: the answer's last step. */
  toolChoice?: 'auto' | 'none';
  /** Aborting cancels the upstream request; the stream then ends with ProviderError 'cancelled'. */
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export type ChatStreamEvent =
  | { type: 'delta'; text: string }
  /** A complete tool request, emitted once its arguments have fully arrived. */
  | { type: 'tool_call'; call: ToolCallRequest }
  /**
   * Always the last event of a stream that did not throw. `usage` is what the
   * provider reported; absent when it reported none (the caller estimates).
   * `finishReason` is `tool_calls` when the model stopped to have tools run.
   */
  | { type: 'done'; finishReason: string; usage?: TokenUsage };

export type ProviderFailure =
  /** 429 from upstream; retryAfterMs when it said. */
  | 'rate_limited'
  /** 401/403: the key is wrong, revoked or lacks access. */
  | 'unauthorized'
  /** No first byte, or a stall, within the time limit. */
  | 'timeout'
  /** Connection refused or reset, 5xx, or the stream ended without finishing. */
  | 'unavailable'
  /** 400/404/422: the request itself is wrong (unknown model, context too long). */
  | 'rejected'
  /** The caller aborted. */
  | 'cancelled';

export class ProviderError extends Error {
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  /** Failures worth another attempt before any token reached the user. */
  get retryable(): boolean {
    return this.failure === 'rate_limited' || this.failure === 'unavailable' || this.failure === 'timeout';
  }
}

export interface ConnectionCheck {
  ok: boolean;
  latencyMs: number;
  /** Models the endpoint lists, when it lists any. */
  models?: string[];
  /** A readable reason when !ok. */
  error?: string;
}

export interface ChatProvider {
  /**
   * Streams a completion: deltas, then exactly one `done`. Throws
   * ProviderError for every failure, before or during the stream.
   */
  streamChat(request: ChatRequest): AsyncIterable<ChatStreamEvent>;
  /**
   * An estimate of the prompt tokens `messages` cost on this provider, plus
   * `countedText`: tokens of text left out of `messages` because they were
   * counted already (cl100k, as the chunks' stored counts are).
   */
  countTokens(messages: ChatMessage[], countedText?: number): number;
  /** Model names the endpoint offers. */
  listModels(signal?: AbortSignal): Promise<string[]>;
  /** Lists models (cheap, authenticated) and reports how that went; never throws. */
  testConnection(): Promise<ConnectionCheck>;
}

export interface ProviderEndpoint {
  kind: 'openai_compatible' | 'anthropic';
  /** Null means the provider's public default. */
  baseUrl: string | null;
  /** Plaintext, held only in memory for the call. Null for keyless local servers (Ollama). */
  apiKey: string | null;
  /** Time to first byte and between chunks before giving up. */
  timeoutMs?: number;
}
