import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Generation } from '../../../chat/generationHub.js';
import type { Assistant } from '../../../db/generated/client.js';
import { askFromApi, finalAnswer, listUsableAssistants, usableAssistant, type ApiTurn } from '../../../integrations/apiConversations.js';
import { embedForApi } from '../../../integrations/openai/embeddings.js';
import { atriumExtra, chatCompletion, completionChunk, completionId, finishReasonOf, openAiErrorBody, unixSeconds, usageOf } from '../../../integrations/openai/openaiFormat.js';
import type { Services } from '../../../services.js';
import type { RouteBuilder } from '../../route.js';
import { ChatCompletion, ChatCompletionBody, EmbeddingList, EmbeddingsBody, ModelList, ModelObject, ModelParams } from './openai.schema.js';

export { openAiErrorBody };

// OpenAI's API over Atrium's assistants (base URL /api/openai/v1): `model` is
// an assistant's id. Thin handlers: the answer is the chat's own pipeline
// (integrations/apiConversations.ts), presented in OpenAI's shapes.

const presentModel = (a: Assistant) => ({ id: a.id, object: 'model' as const, created: unixSeconds(a.createdAt), owned_by: 'atrium', name: a.name });

export function openAiRoutes(s: Services, routes: RouteBuilder): void {
  routes.add({
    method: 'get',
    path: '/models',
    summary: 'The assistants you may use, as OpenAI models (id = assistant id)',
    tags: ['openai'],
    responses: { 200: { description: 'Models', schema: ModelList } },
    handler: async ({ actor }) => ({ body: { object: 'list', data: (await listUsableAssistants(s, actor)).map(presentModel) } }),
  });

  routes.add({
    method: 'get',
    path: '/models/:model',
    summary: 'One assistant you may use, as an OpenAI model',
    tags: ['openai'],
    params: ModelParams,
    responses: { 200: { description: 'The model', schema: ModelObject } },
    handler: async ({ actor, params }) => ({ body: presentModel(await usableAssistant(s, actor, params.model)) }),
  });

  routes.add({
    method: 'post',
    path: '/chat/completions',
    summary:
      "Ask an assistant (model = its id). Its instructions and retrieval apply to the last user message; earlier messages are the history. With stream: true, OpenAI's chunks over server-sent events, ending in [DONE]. The passages used are in `atrium.sources`.",
    tags: ['openai'],
    body: ChatCompletionBody,
    responses: {
      200: { description: 'The completion, or its stream (text/event-stream)', schema: ChatCompletion },
    },
    handler: async ({ actor, body, req, res }) => {
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
    summary: "Vectors from Atrium's configured embedder (the `model` field is not used to choose one)",
    tags: ['openai'],
    body: EmbeddingsBody,
    responses: { 200: { description: 'Embeddings', schema: EmbeddingList } },
    handler: async ({ body }) => ({ body: await embedForApi(s, body) }),
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

function streamCompletion(req: Request, res: Response, generation: Generation, model: string, includeUsage: boolean): void {
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  const base = { id: completionId(generation.messageId), created: unixSeconds(new Date()), model, includeUsage };
  const send = (data: unknown) => {
    if (!res.writableEnded) res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  };
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
