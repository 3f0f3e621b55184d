import type { Message } from '../../db/generated/client.js';
import type { AppError } from '../../errors/appError.js';
import { presentSources } from '../apiConversations.js';

// OpenAI's wire shapes for what Atrium produces: completions, stream chunks,
// errors. The SDKs pick their exception class by status code and read
// `error.message`; `error.code` carries Atrium's own code.

const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
};

export function openAiErrorBody(error: Pick<AppError, 'status' | 'code' | 'message' | 'details'>) {
  const param = (error.details as { issues?: { path: string }[] } | undefined)?.issues?.[0]?.path ?? null;
  return { error: { message: error.message, type: errorTypes[error.status] ?? 'api_error', param, code: error.code } };
}

export const completionId = (messageId: string) => `chatcmpl-${messageId}`;
export const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function usageOf(message: Message) {
  const prompt = message.promptTokens ?? 0;
  const completion = message.completionTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Answers cut by the token limit say so; every other end (stopped, "nothing in my knowledge", search mode) is a stop. */
export const finishReasonOf = (message: Message) => (message.finishReason === 'length' ? 'length' : 'stop');

export const atriumExtra = (message: Message) => ({ conversationId: message.conversationId, sources: presentSources(message) });

export function chatCompletion(model: string, message: Message) {
  return {
    id: completionId(message.id),
    object: 'chat.completion' as const,
    created: unixSeconds(message.createdAt),
    model,
    choices: [{ index: 0, message: { role: 'assistant' as const, content: message.content, refusal: null }, logprobs: null, finish_reason: finishReasonOf(message) }],
    usage: usageOf(message),
    atrium: atriumExtra(message),
  };
}

/** One `chat.completion.chunk`; with include_usage every chunk carries `usage: null` until the last, as OpenAI's do. */
export function completionChunk(
  base: { id: string; created: number; model: string; includeUsage: boolean },
  delta: { role?: 'assistant'; content?: string },
  finishReason: string | null,
  extra: object = {},
) {
  return {
    id: base.id,
    object: 'chat.completion.chunk' as const,
    created: base.created,
    model: base.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(base.includeUsage ? { usage: null } : {}),
    ...extra,
  };
}
