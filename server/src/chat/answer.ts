import { randomUUID } from 'node:crypto';
import { Prisma, type Assistant, type Conversation, type Message, type Model } from '../db/generated/client.js';
import { AppError } from '../errors/appError.js';
import { costOf, type QuotaReservation } from '../governance/quotas/index.js';
import type { Passage } from '../retrieval/retrievePassages.js';
import type { Services } from '../services.js';
import type { ChatErrorInfo } from './chatEvents.js';
import { ChunkCoalescer } from './chunkCoalescer.js';
import { pathTo } from './conversationTree.js';
import type { Generation } from './generationHub.js';
import { ProviderError, type ChatMessage, type ChatProvider, type TokenUsage } from './llm/chatProvider.js';
import { createChatProvider } from './llm/registry.js';
import { streamWithRetries } from './llm/retries.js';
import { buildPrompt } from './prompt/buildPrompt.js';
import { storedSources } from './sources.js';
import { generateTitle } from './titles.js';

// How a question becomes an answer, top to bottom: retrieve passages, build
// the prompt, reserve quota, store the question and an empty answer, stream
// from the model while saving as it goes, then settle quota and usage and
// publish the stored answer. prepareAnswer does everything that can refuse
// the request (so a refusal is a plain HTTP error); runAnswer streams.

/** Said instead of guessing when "answer only from knowledge" finds nothing. */
export const NO_KNOWLEDGE_ANSWER =
  "I couldn't find anything about this in my knowledge files, so I can't answer it. Try rephrasing the question, or ask whoever maintains this assistant to add a document that covers it.";

// The answer row is written at most this often while streaming, so a crash loses little and 200 streams don't flood the database.
const SAVE_INTERVAL_MS = 1000;

export type AnswerActor = { id: string; groups: ReadonlyMap<string, unknown>; token?: { id: string; name: string } };

export interface AnswerRequest {
  conversation: Conversation;
  assistant: Assistant;
  actor: AnswerActor;
  /** A new question to store (send, edit), or the stored one to answer again (regenerate). */
  question: { content: string; parentId: string | null; editHistory?: Prisma.InputJsonValue } | { existing: Message };
  /** The conversation's messages when the caller already read them (saves a read on the hot path). */
  thread?: ThreadMessage[];
}

/** What the prompt needs of each earlier message. */
export type ThreadMessage = Pick<Message, 'id' | 'parentId' | 'createdAt' | 'role' | 'content' | 'status'>;

interface PreparedAnswer {
  generation: Generation;
  model: Model;
  provider: ChatProvider | null;
  messages: ChatMessage[];
  passages: Passage[];
  promptTokens: number;
  maxTokens: number;
  temperature: number;
  reservation: QuotaReservation | null;
  firstExchange: boolean;
  request: AnswerRequest;
  startedAt: number;
}

export async function startAnswer(s: Services, request: AnswerRequest): Promise<Generation> {
  const claim = s.generations.claim(request.conversation.id);
  let prepared: PreparedAnswer;
  try {
    prepared = await prepareAnswer(s, request, claim.open);
  } catch (error) {
    claim.release();
    throw error;
  }
  const { generation } = prepared;
  void runAnswer(s, prepared).catch((error: unknown) => {
    // A database failure while finishing: the client still gets an end, and the conversation is freed.
    s.logger.error({ err: error, conversationId: request.conversation.id }, 'answer pipeline failed');
    if (!generation.ended) {
      const info = { code: 'internal', message: 'The answer could not be saved. Please try again.' };
      generation.end({ type: 'error', conversationId: generation.conversationId, messageId: generation.messageId, error: info, message: null });
    }
    generation.close();
  });
  return generation;
}

async function prepareAnswer(s: Services, request: AnswerRequest, open: (userId: string, messageId: string) => Generation): Promise<PreparedAnswer> {
  const startedAt = performance.now();
  const { conversation, assistant, actor } = request;
  const question = 'existing' in request.question ? request.question.existing.content : request.question.content;
  const parentId = 'existing' in request.question ? request.question.existing.parentId : request.question.parentId;

  const [resolved, history, passages] = await Promise.all([
    s.chatModels.forAssistant(assistant.modelId),
    historyBefore(s, conversation.id, parentId, request.thread),
    s.retriever.retrieve({
      assistantId: assistant.id,
      query: question,
      topK: assistant.topK ?? 5,
      minScore: assistant.similarityThreshold ?? s.retriever.defaultMinScore,
    }),
  ]);
  const { model, endpoint } = resolved;
  const answersFromNothing = assistant.knowledgeOnly && passages.length === 0;
  const provider = answersFromNothing ? null : createChatProvider({ ...endpoint, timeoutMs: s.config.chat.timeoutMs });
  const maxTokens = Math.min(assistant.maxTokens, model.maxOutputTokens ?? assistant.maxTokens);
  const prompt = buildPrompt({
    instructions: assistant.instructions,
    knowledgeOnly: assistant.knowledgeOnly,
    passages,
    history,
    question,
    contextWindow: model.contextWindow,
    answerTokens: maxTokens,
    countTokens: (messages) => (provider ?? createChatProvider(endpoint)).countTokens(messages),
  });

  // Nothing is charged when the model is not called.
  const reservation = provider
    ? await s.quotas.reserve(
        { userId: actor.id, groupIds: [...actor.groups.keys()], assistantId: assistant.id, token: actor.token },
        { tokens: prompt.promptTokens + maxTokens, cost: costOf(model, prompt.promptTokens, maxTokens) },
      )
    : null;

  try {
    const { userMessage, answer } = await storeTurn(s, request, model);
    const generation = open(actor.id, answer.id);
    generation.begin(userMessage, answer);
    return {
      generation,
      model,
      provider,
      messages: prompt.messages,
      passages: prompt.passages,
      promptTokens: prompt.promptTokens,
      maxTokens,
      temperature: assistant.temperature,
      reservation,
      firstExchange: history.length === 0 && conversation.title === DEFAULT_TITLE,
      request,
      startedAt,
    };
  } catch (error) {
    await reservation?.release();
    throw error;
  }
}

export const DEFAULT_TITLE = 'New conversation';

async function runAnswer(s: Services, p: PreparedAnswer): Promise<void> {
  const { generation } = p;
  const messageId = generation.messageId;
  let text = '';
  let usage: TokenUsage | undefined;
  let finishReason = 'stop';
  let failure: ProviderError | null = null;
  let lastSave = Date.now();
  let saving: Promise<unknown> = Promise.resolve();

  const chunks = new ChunkCoalescer((chunk) => generation.chunk(chunk));
  if (!p.provider) {
    text = NO_KNOWLEDGE_ANSWER;
    finishReason = 'no_knowledge';
    generation.chunk(text);
  } else {
    try {
      const stream = streamWithRetries(
        () => p.provider!.streamChat({ model: p.model.name, messages: p.messages, temperature: p.temperature, maxTokens: p.maxTokens, signal: generation.controller.signal }),
        {
          retries: s.config.chat.retries,
          signal: generation.controller.signal,
          onRetry: (error, attempt, waitMs) => s.logger.warn({ messageId, attempt, waitMs, failure: error.failure, err: error.message }, 'model call failed; retrying'),
        },
      );
      for await (const event of stream) {
        if (event.type === 'delta') {
          text += event.text;
          chunks.push(event.text);
          if (Date.now() - lastSave >= SAVE_INTERVAL_MS) {
            lastSave = Date.now();
            const partial = text;
            saving = saving.then(() => s.prisma.message.update({ where: { id: messageId }, data: { content: partial } })).catch(() => undefined);
          }
        } else {
          usage = event.usage;
          finishReason = event.finishReason;
        }
      }
    } catch (error) {
      failure = error instanceof ProviderError ? error : new ProviderError('unavailable', (error as Error).message, { cause: error });
    }
  }
  chunks.flush();
  await saving;

  const stopped = failure?.failure === 'cancelled';
  const failed = failure !== null && !stopped;
  const latencyMs = Math.round(performance.now() - p.startedAt);
  const promptTokens = usage?.promptTokens ?? (p.provider ? p.promptTokens : 0);
  const completionTokens = usage?.completionTokens ?? (p.provider && text ? p.provider.countTokens([{ role: 'assistant', content: text }]) : 0);
  const errorInfo = failed ? describeFailure(failure!) : null;
  if (failed) s.logger.warn({ messageId, failure: failure!.failure, status: failure!.details.status, err: failure!.message }, 'model call failed');

  const saved = await s.prisma.message.update({
    where: { id: messageId },
    data: {
      content: text,
      status: failed ? 'error' : stopped ? 'stopped' : 'complete',
      finishReason: failed ? 'error' : stopped ? 'stopped' : finishReason,
      promptTokens: p.provider && !failed ? promptTokens : null,
      completionTokens: p.provider && !failed ? completionTokens : null,
      latencyMs,
      error: errorInfo?.message ?? null,
      sources: storedSources(p.passages),
    },
  });
  // The client hears the end first; quota and usage follow off its path.
  if (failed) generation.end({ type: 'error', conversationId: generation.conversationId, messageId, error: errorInfo!, message: saved });
  else generation.end({ type: 'done', conversationId: generation.conversationId, message: saved });
  try {
    if (p.provider) await account(s, p, { failed, stopped, promptTokens, completionTokens, latencyMs, messageId });
  } finally {
    generation.close();
  }

  if (p.firstExchange && !failed && p.provider && s.config.chat.titles) {
    void generateTitle(s, { conversation: p.request.conversation, actor: p.request.actor, question: p.messages.at(-1)!.content, answer: text, model: p.model, provider: p.provider }).catch(
      (error: unknown) => s.logger.warn({ err: error, conversationId: generation.conversationId }, 'title generation failed'),
    );
  }
}

/**
 * Quota and usage after the call. A provider failure charges nothing (SPEC);
 * a stopped answer is charged what it consumed.
 */
async function account(
  s: Services,
  p: PreparedAnswer,
  r: { failed: boolean; stopped: boolean; promptTokens: number; completionTokens: number; latencyMs: number; messageId: string },
): Promise<void> {
  const cost = r.failed ? 0 : costOf(p.model, r.promptTokens, r.completionTokens);
  try {
    if (r.failed) await p.reservation?.release();
    else await p.reservation?.settle({ tokens: r.promptTokens + r.completionTokens, cost });
    await s.usage.record({
      userId: p.request.actor.id,
      assistantId: p.request.assistant.id,
      conversationId: p.request.conversation.id,
      messageId: r.messageId,
      modelId: p.model.id,
      modelName: p.model.name,
      promptTokens: r.failed ? 0 : r.promptTokens,
      completionTokens: r.failed ? 0 : r.completionTokens,
      cost,
      latencyMs: r.latencyMs,
      outcome: r.failed ? 'error' : r.stopped ? 'stopped' : 'success',
      source: p.request.conversation.source,
      token: p.request.actor.token,
    });
  } catch (error) {
    s.logger.error({ err: error, messageId: r.messageId }, 'could not record quota and usage for a model call');
  }
}

/** What the person in the chat is told; the details stay in the log. */
export function describeFailure(error: ProviderError): ChatErrorInfo {
  const messages: Record<ProviderError['failure'], string> = {
    rate_limited: 'The model provider is busy right now (rate limited). Please try again in a moment.',
    unauthorized: 'The model provider refused our credentials. An administrator needs to check the API key.',
    timeout: 'The model took too long to answer. Please try again.',
    unavailable: 'The model provider could not be reached or stopped answering. Please try again.',
    rejected: 'The model provider refused this request.',
    cancelled: 'The answer was stopped.',
  };
  return {
    code: 'upstream_failed',
    message: messages[error.failure],
    details: { failure: error.failure, ...(error.details.retryAfterMs ? { retryAfterMs: error.details.retryAfterMs } : {}) },
  };
}

/**
 * The stored question and an empty answer, with the conversation's activity
 * time, in one statement: this is on every message's path to its first token.
 */
async function storeTurn(s: Services, request: AnswerRequest, model: Model): Promise<{ userMessage: Message | null; answer: Message }> {
  // Explicit, distinct times: the tree orders a question before its answer by time.
  const asked = new Date();
  const answered = new Date(asked.getTime() + 1);
  const conversationId = request.conversation.id;
  const base = { conversationId, model: null, promptTokens: null, completionTokens: null, finishReason: null, latencyMs: null, sources: null, error: null };
  const userMessage: Message | null =
    'existing' in request.question
      ? null
      : {
          ...base,
          id: randomUUID(),
          parentId: request.question.parentId,
          role: 'user',
          content: request.question.content,
          status: 'complete',
          editHistory: (request.question.editHistory ?? []) as Prisma.JsonValue,
          createdAt: asked,
          updatedAt: asked,
        };
  const answer: Message = {
    ...base,
    id: randomUUID(),
    parentId: userMessage?.id ?? ('existing' in request.question ? request.question.existing.id : null),
    role: 'assistant',
    content: '',
    status: 'streaming',
    model: model.name,
    editHistory: [],
    createdAt: answered,
    updatedAt: answered,
  };
  const insertQuestion = userMessage
    ? Prisma.sql`, question AS (
        INSERT INTO messages (id, conversation_id, parent_id, role, content, status, edit_history, created_at, updated_at)
        VALUES (${userMessage.id}::uuid, ${conversationId}::uuid, ${userMessage.parentId}::uuid, 'user', ${userMessage.content}, 'complete', ${JSON.stringify(userMessage.editHistory)}::jsonb, ${asked}, ${asked})
        RETURNING id)`
    : Prisma.empty;
  await s.prisma.$executeRaw`
    WITH touched AS (UPDATE conversations SET last_message_at = ${answered}, updated_at = ${answered} WHERE id = ${conversationId}::uuid RETURNING id)
    ${insertQuestion},
    answer AS (
      INSERT INTO messages (id, conversation_id, parent_id, role, content, status, model, edit_history, created_at, updated_at)
      VALUES (${answer.id}::uuid, ${conversationId}::uuid, ${answer.parentId}::uuid, 'assistant', '', 'streaming', ${model.name}, '[]'::jsonb, ${answered}, ${answered})
      RETURNING id)
    SELECT 1`;
  return { userMessage, answer };
}

/** The conversation's messages, oldest first, with what the prompt and the tree need. */
export function readThread(s: Pick<Services, 'prisma'>, conversationId: string): Promise<ThreadMessage[]> {
  return s.prisma.message.findMany({
    where: { conversationId },
    select: { id: true, parentId: true, createdAt: true, role: true, content: true, status: true },
    orderBy: { createdAt: 'asc' },
  });
}

/** The turns before `parentId` on its branch, as prompt messages; failed answers are left out. */
async function historyBefore(s: Services, conversationId: string, parentId: string | null, thread?: ThreadMessage[]): Promise<ChatMessage[]> {
  if (!parentId) return [];
  const messages = thread ?? (await readThread(s, conversationId));
  return pathTo(messages, parentId)
    .filter((m) => m.status !== 'error' && m.content.trim() !== '' && m.role !== 'system')
    .map((m) => ({ role: m.role, content: m.content }));
}

