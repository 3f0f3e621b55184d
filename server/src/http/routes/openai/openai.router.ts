import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Generation } from '../../../chat/generationHub.js';
import type { ChatMessage } from '../../../chat/llm/chatProvider.js';
import type { Assistant, Model } from '../../../db/generated/client.js';
import { AppError } from '../../../errors/appError.js';
import type { Actor } from '../../../policies/actor.js';
import { askFromApi, finalAnswer, listUsableAssistants, usableAssistant, type ApiTurn } from '../../../integrations/apiConversations.js';
import { embedForApi } from '../../../integrations/openai/embeddings.js';
import { isRawModelId, listRawModels, prepareRawCompletion, rawFailureError, rawModelId, usableRawModel } from '../../../integrations/openai/rawModels.js';
import { atriumExtra, chatCompletion, completionChunk, completionId, finishReasonOf, openAiErrorBody, unixSeconds, usageOf } from '../../../integrations/openai/openaiFormat.js';
import type { Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { ChatCompletion, ChatCompletionBody, EmbeddingList, EmbeddingsBody, ModelList, ModelObject, ModelParams } from './openai.schema.js';

export { openAiErrorBody };

// OpenAI's API over Atrium's assistants (base URL /api/openai/v1): `model` is
// an assistant's id, or `model:<id>` for a raw model where a group allows it.
// Thin handlers: an assistant's answer is the chat's own pipeline
// (integrations/apiConversations.ts), a raw model's is integrations/openai/rawModels.ts,
// both presented in OpenAI's shapes.

const presentModel = (a: Assistant) => ({ id: a.id, object: 'model' as const, created: unixSeconds(a.createdAt), owned_by: 'atrium', name: a.name });
const presentRawModel = (m: Model) => ({ id: rawModelId(m), object: 'model' as const, created: unixSeconds(m.createdAt), owned_by: 'atrium', name: m.displayName ?? m.name });

export function openAiRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/models',
    summary: 'The assistants you may use, as OpenAI models (id = assistant id), then the raw models (id = `model:<id>`) where one of your groups allows them',
    tags: ['openai'],
    responses: { 200: { description: 'Models', schema: ModelList } },
    handler: async ({ actor }) => {
      const [assistants, models] = await Promise.all([listUsableAssistants(s, actor), listRawModels(s, actor)]);
      return { body: { object: 'list', data: [...assistants.map(presentModel), ...models.map(presentRawModel)] } };
    },
  });

  routes.add({
    method: 'get',
    path: '/models/:model',
    summary: 'One assistant (or raw model) you may use, as an OpenAI model',
    tags: ['openai'],
    params: ModelParams,
    responses: { 200: { description: 'The model', schema: ModelObject } },
    handler: async ({ actor, params }) =>
      isRawModelId(params.model)
        ? { body: presentRawModel(await usableRawModel(s, actor, params.model)) }
        : { body: presentModel(await usableAssistant(s, actor, params.model)) },
  });

  routes.add({
    method: 'post',
    path: '/chat/completions',
    summary:
      "Ask an assistant (model = its id). Its instructions and retrieval apply to the last user message; earlier messages are the history. With stream: true, OpenAI's chunks over server-sent events, ending in [DONE]. The passages used are in `atrium.sources`. A raw model (model = `model:<id>`, where your group allows it) gets the messages as they are, and no conversation is kept.",
    tags: ['openai'],
    body: ChatCompletionBody,
    responses: {
      200: { description: 'The completion, or its stream (text/event-stream)', schema: ChatCompletion },
    },
    handler: async ({ actor, body, req, res }) => {
      if (isRawModelId(body.model)) return completeWithRawModel(s, actor, body, res);
      const { generation } = await askFromApi(s, actor, { assistantId: body.model, turns: turnsOf(body.messages), source: 'api' });
      // A client that goes away stops the model call; what was produced is saved and charged.
      res.on('close', () => {
        if (!generation.ended) generation.controller.abort();
      });
      if (body.store === false) {
        void generation
          .finished()
          .then(() => s.prisma.conversation.deleteMany({ where: { id: generation.conversationId } }))
          .catch((error: unknown) => s.logger.warn({ err: error, conversationId: generation.conversationId }, 'could not delete an unstored API conversation'));
      }
      if (body.stream) return streamCompletion(req, res, generation, body.model, body.stream_options?.include_usage === true);
      return { body: chatCompletion(body.model, await finalAnswer(generation)) };
    },
  });

  routes.add({
    method: 'post',
    path: '/embeddings',
    summary: "Vectors from Atrium's configured embedder (the `model` field is not used to choose one), under your quotas and recorded in usage",
    tags: ['openai'],
    body: EmbeddingsBody,
    responses: { 200: { description: 'Embeddings', schema: EmbeddingList } },
    handler: async ({ actor, body }) => ({ body: await embedForApi(s, actor, body) }),
  });
}

/** Text of a message whatever its form: a string, or parts of which the text ones count. */
function textOf(content: z.infer<typeof ChatCompletionBody>['messages'][number]['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/** User and assistant turns; system and developer messages give way to the assistant's own instructions. */
function turnsOf(messages: z.infer<typeof ChatCompletionBody>['messages']): ApiTurn[] {
  return messages.flatMap((m) => (m.role === 'user' || m.role === 'assistant' ? [{ role: m.role, content: textOf(m.content) }] : []));
}

/** The caller's messages as the model gets them: system and developer messages as system, tool traffic left out. */
function rawMessagesOf(messages: z.infer<typeof ChatCompletionBody>['messages']): ChatMessage[] {
  return messages.flatMap((m): ChatMessage[] => {
    if (m.role === 'user' || m.role === 'assistant') return [{ role: m.role, content: textOf(m.content) }];
    if (m.role === 'system' || m.role === 'developer') return [{ role: 'system', content: textOf(m.content) }];
    return [];
  });
}

async function completeWithRawModel(s: Services, actor: Actor, body: z.infer<typeof ChatCompletionBody>, res: Response) {
  const model = await usableRawModel(s, actor, body.model);
  const messages = rawMessagesOf(body.messages);
  if (!messages.some((m) => m.role === 'user' && m.content.trim())) {
    throw new AppError('validation_failed', 'The messages must include a non-empty user message', { issues: [{ path: 'messages', message: 'needs a user message', code: 'custom' }] });
  }
  const call = await prepareRawCompletion(s, actor, {
    model,
    messages,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
  });
  // A client that goes away stops the model call; what was produced is charged.
  res.on('close', () => call.abort());
  const created = unixSeconds(new Date());
  const id = completionId(randomUUID());
  if (!body.stream) {
    const result = await call.run(() => undefined);
    if (result.failure) throw rawFailureError(result.failure);
    return { body: rawCompletion({ id, created, model: body.model }, result.text, result.finishReason, result.usage) };
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const base = { id, created, model: body.model, includeUsage };
  const send = openStream(res);
  send(completionChunk(base, { role: 'assistant', content: '' }, null));
  const result = await call.run((text) => send(completionChunk(base, { content: text }, null)));
  if (result.failure) {
    if (result.failure.failure !== 'cancelled') send(openAiErrorBody(rawFailureError(result.failure)));
    res.end();
    return;
  }
  send(completionChunk(base, {}, result.finishReason === 'length' ? 'length' : 'stop', { atrium: { conversationId: null, sources: [] } }));
  if (includeUsage) send({ ...completionChunk(base, {}, null), choices: [], usage: openAiUsage(result.usage) });
  send('[DONE]');
  res.end();
}

const openAiUsage = (usage: { promptTokens: number; completionTokens: number }) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
});

function rawCompletion(base: { id: string; created: number; model: string }, text: string, finishReason: string, usage: { promptTokens: number; completionTokens: number }) {
  return {
    ...base,
    object: 'chat.completion' as const,
    choices: [{ index: 0, message: { role: 'assistant' as const, content: text, refusal: null }, logprobs: null, finish_reason: finishReason === 'length' ? 'length' : 'stop' }],
    usage: openAiUsage(usage),
    atrium: { conversationId: null, sources: [] },
  };
}

/** Starts an SSE response; the returned function writes one `data:` frame while the response is open. */
function openStream(res: Response): (data: unknown) => void {
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  return (data: unknown) => {
    if (!res.writableEnded) res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  };
}

function streamCompletion(req: Request, res: Response, generation: Generation, model: string, includeUsage: boolean): void {
  const send = openStream(res);
  const base = { id: completionId(generation.messageId), created: unixSeconds(new Date()), model, includeUsage };
  const unsubscribe = generation.subscribe((event) => {
    if (event.type === 'start') {
      send(completionChunk(base, { role: 'assistant', content: '' }, null));
      // A late subscriber's start holds the text so far.
      if (event.message.content) send(completionChunk(base, { content: event.message.content }, null));
    } else if (event.type === 'chunk') {
      send(completionChunk(base, { content: event.text }, null));
    } else if (event.type === 'done') {
      send(completionChunk(base, {}, finishReasonOf(event.message), { atrium: atriumExtra(event.message) }));
      if (includeUsage) send({ ...completionChunk(base, {}, null), choices: [], usage: usageOf(event.message) });
      send('[DONE]');
      res.end();
    } else if (event.type === 'error') {
      send(openAiErrorBody({ status: 502, code: 'upstream_failed', message: event.error.message, details: event.error.details }));
      res.end();
    }
    // Atrium's own tool calls are not the API client's to run: they stay inside the answer.
  });
  req.on('close', unsubscribe);
}
