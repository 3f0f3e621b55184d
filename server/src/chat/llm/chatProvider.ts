// One interface for every model provider (SPEC "Providers"): the chat
// pipeline, the provider console's "test connection" and the model list all
// speak to a provider through it. Adapters live beside this file, one per
// ProviderKind, and are chosen by createChatProvider (registry.ts).

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  /** The provider's own model name (Model.name). */
  model: string;
  /** System message(s) first, then the conversation in order. */
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** Aborting cancels the upstream request; the stream then ends with ProviderError 'cancelled'. */
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export type ChatStreamEvent =
  | { type: 'delta'; text: string }
  /**
   * Always the last event of a stream that did not throw. `usage` is what the
   * provider reported; absent when it reported none (the caller estimates).
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
  /** An estimate of the prompt tokens `messages` cost on this provider. */
  countTokens(messages: ChatMessage[]): number;
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
