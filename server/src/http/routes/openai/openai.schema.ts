import { z } from 'zod';

// The request bodies of OpenAI's API that Atrium answers. Fields the SDKs send
// that do not apply (tools, logprobs, n, seed ...) are accepted and ignored,
// so a standard client's request is never refused for them.

const TextPart = z.object({ type: z.literal('text'), text: z.string() }).loose();
const Content = z.union([z.string(), z.array(z.union([TextPart, z.object({ type: z.string() }).loose()]))]).nullable().optional();

export const ChatMessage = z
  .object({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']), content: Content })
  .loose();

export const ChatCompletionBody = z
  .object({
    model: z.string().min(1).describe('An assistant id, or `model:<id>` for a raw model where your group allows it (GET /models lists both)'),
    messages: z.array(ChatMessage).min(1).max(500),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    store: z.boolean().nullable().optional().describe('false: the call is not kept as an API conversation (usage is still recorded)'),
    // Raw models only: an assistant answers with its own settings.
    max_tokens: z.number().int().min(1).nullable().optional().describe('Raw models only (capped by the model’s limit)'),
    max_completion_tokens: z.number().int().min(1).nullable().optional().describe('Raw models only; wins over max_tokens'),
    temperature: z.number().min(0).max(2).nullable().optional().describe('Raw models only'),
  })
  .loose()
  .meta({ id: 'OpenAiChatCompletionRequest' });

export const EmbeddingsBody = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(256)]),
    encoding_format: z.enum(['float', 'base64']).optional(),
  })
  .loose()
  .meta({ id: 'OpenAiEmbeddingsRequest' });

export const ModelParams = z.object({ model: z.string().min(1) });

export const ModelObject = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string(), name: z.string() }).meta({ id: 'OpenAiModel' });
export const ModelList = z.object({ object: z.literal('list'), data: z.array(ModelObject) }).meta({ id: 'OpenAiModelList' });

const Usage = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });
export const AtriumExtra = z
  .object({
    conversationId: z.uuid().nullable(),
    sources: z.array(
      z.object({ index: z.number().int(), fileId: z.uuid(), file: z.string(), page: z.number().int().nullable(), section: z.string().nullable(), passage: z.string(), score: z.number() }),
    ),
  })
  .describe('Atrium-only: the passages the answer drew on. Standard clients ignore it.');

export const ChatCompletion = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(z.object({ index: z.number().int(), message: z.object({ role: z.literal('assistant'), content: z.string() }), finish_reason: z.string() })),
    usage: Usage,
    atrium: AtriumExtra,
  })
  .meta({ id: 'OpenAiChatCompletion' });

export const EmbeddingList = z
  .object({
    object: z.literal('list'),
    data: z.array(z.object({ object: z.literal('embedding'), index: z.number().int(), embedding: z.union([z.array(z.number()), z.string()]) })),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .meta({ id: 'OpenAiEmbeddingList' });
