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
    }
  | { status: number; message?: string; retryAfter?: string };

export interface ChatCall {
  model: string;
  messages: { role: string; content: string }[];
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

  /** The next `times` chat requests fail with `status`. */
  fail(status: number, times = 1, options: { message?: string; retryAfter?: string } = {}): this {
    for (let i = 0; i < times; i++) this.queue.push({ status, ...options });
    return this;
  }

  next(call: ChatCall): ScriptedReply {
    return this.intercept(call) ?? this.queue.shift() ?? this.defaultReply(call);
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
