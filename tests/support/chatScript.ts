import type { ServerResponse } from 'node:http';

// What a provider test server answers to chat requests, shared by the OpenAI
// and Anthropic servers so tests script both the same way. Each scripted
// reply is used once, in order; with none queued, `defaultReply` answers.

export type ScriptedReply =
  | {
      text: string;
      /** Delay before the first token (after the response headers). */
      firstTokenDelayMs?: number;
      /** Delay before the response headers. */
      headersDelayMs?: number;
      /** Delay between tokens. */
      chunkDelayMs?: number;
      finishReason?: 'stop' | 'length';
      /** Cut the connection after this many tokens, without finishing. */
      disconnectAfterTokens?: number;
      /** Send a protocol error event after this many tokens. */
      errorAfterTokens?: number;
      /** Leave usage out of the stream, as some compatible servers do. */
      omitUsage?: boolean;
      /** Tools the model asks for after its text; the reply then ends with the protocol's tool-use finish. */
      toolCalls?: ScriptedToolCall[];
    }
  | { status: number; message?: string; retryAfter?: string };

/** A tool request in a scripted reply: `arguments` as an object, or as raw text (to send malformed JSON). */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown> | string;
}

/** A tool the request offered, in one shape for both protocols. */
export interface OfferedTool {
  name: string;
  description?: string;
  parameters?: unknown;
}

export interface ChatCall {
  model: string;
  /** The conversation with every content flattened to text (tool results and requests included). */
  messages: { role: string; content: string }[];
  /** Tools the request offered the model; empty when none. */
  tools: OfferedTool[];
  /** 'none' when the request forbade tool calls (the server then drops scripted ones, as a model would not make them). */
  toolChoice?: string;
  system?: string;
  maxTokens?: number;
  temperature?: number;
  stream: boolean;
}

export class ChatScript {
  private readonly queue: ScriptedReply[] = [];
  /** Answers some calls before the queue is looked at (e.g. title requests), so scripts go to the rest. */
  intercept: (call: ChatCall) => ScriptedReply | undefined = () => undefined;
  /** The answer when nothing is scripted. */
  defaultReply: (call: ChatCall) => ScriptedReply = (call) => ({ text: `You asked: ${call.messages.at(-1)?.content ?? ''}` });
  /** Streams whose client went away before the answer finished (stop, disconnect). */
  cancelled = 0;
  /** Streams that ran to their end. */
  completed = 0;

  /** Queues replies for the next chat requests, in order. */
  script(...replies: ScriptedReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Drops the replies no request has used. */
  clear(): this {
    this.queue.length = 0;
    return this;
  }

  /** The next `times` chat requests fail with `status`. */
  fail(status: number, times = 1, options: { message?: string; retryAfter?: string } = {}): this {
    for (let i = 0; i < times; i++) this.queue.push({ status, ...options });
    return this;
  }

  /** The most recent chat request, as both protocols' servers describe it. */
  lastCall: ChatCall | undefined;

  next(call: ChatCall): ScriptedReply {
    this.lastCall = call;
    const reply = this.intercept(call) ?? this.queue.shift() ?? this.defaultReply(call);
    if (call.toolChoice === 'none' && 'text' in reply && reply.toolCalls) return { ...reply, toolCalls: undefined };
    return reply;
  }

  /** Counts the stream as cancelled when the client closes it early. */
  watch(response: ServerResponse): { finished: () => void } {
    let done = false;
    response.on('close', () => {
      if (!done) this.cancelled++;
    });
    return {
      finished: () => {
        done = true;
        this.completed++;
      },
    };
  }
}

/** Splits text the way models stream it: a word and its following space per token. */
export function tokensOf(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** A rough prompt size: four characters a token. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** A scripted tool call's id and arguments as the protocols send them. */
export function toolCallParts(call: ScriptedToolCall, index: number): { id: string; name: string; json: string } {
  return { id: call.id ?? `call_${index}_${Math.random().toString(36).slice(2, 8)}`, name: call.name, json: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) };
}

/** Splits JSON text into `parts` pieces the way streamed tool arguments arrive (mid-token, mid-string). */
export function piecesOf(text: string, parts = 3): string[] {
  if (text.length <= parts) return [text];
  const size = Math.ceil(text.length / parts);
  return Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
}
