import { describeFailure } from '../../chat/answer.js';
import { ProviderError, type ChatMessage, type TokenUsage } from '../../chat/llm/chatProvider.js';
import { createChatProvider } from '../../chat/llm/registry.js';
import { streamWithRetries } from '../../chat/llm/retries.js';
import { chargeModelCall } from '../../chat/modelCallCharge.js';
import type { Model } from '../../db/generated/client.js';
import { AppError } from '../../errors/appError.js';
import { costOf } from '../../governance/quotas/index.js';
import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';

// The chat models themselves behind the OpenAI-compatible API, for members of
// a group whose admin allows it (groups.api_raw_models). The caller's messages
// go to the model as they are: no assistant, no instructions, no retrieval,
// and no conversation is kept. The call is still reserved against the user's
// quotas first and recorded in usage (source `api`) afterwards, like an answer.

/** A raw model's id in the API: `model:` and the model's id, so two providers' models of one name stay apart. */
export const RAW_MODEL_PREFIX = 'model:';
export const rawModelId = (model: Pick<Model, 'id'>) => `${RAW_MODEL_PREFIX}${model.id}`;
export const isRawModelId = (id: string) => id.startsWith(RAW_MODEL_PREFIX);

/** Answer length when neither the caller nor the model sets one (the assistants' default). */
const DEFAULT_MAX_TOKENS = 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USABLE = { kind: 'chat', enabled: true, provider: { enabled: true } } as const;

const notFound = (id: string) => new AppError('not_found', `The model \`${id}\` does not exist or you do not have access to it`);

/** Whether one of the actor's groups lets its members call the models directly. */
export async function rawModelsAllowed(s: Pick<Services, 'prisma'>, actor: Actor): Promise<boolean> {
  const groupIds = [...actor.groups.keys()];
  if (!groupIds.length) return false;
  return (await s.prisma.group.count({ where: { id: { in: groupIds }, apiRawModels: true } })) > 0;
}

/** The enabled chat models, when the actor may call them directly; otherwise none. */
export async function listRawModels(s: Pick<Services, 'prisma'>, actor: Actor): Promise<Model[]> {
  if (!(await rawModelsAllowed(s, actor))) return [];
  return s.prisma.model.findMany({ where: USABLE, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
}

/** A model the actor may call directly, by its API id; anything else is "not found", as for assistants. */
export async function usableRawModel(s: Pick<Services, 'prisma'>, actor: Actor, id: string): Promise<Model> {
  const modelId = id.slice(RAW_MODEL_PREFIX.length);
  if (!UUID.test(modelId) || !(await rawModelsAllowed(s, actor))) throw notFound(id);
  const model = await s.prisma.model.findFirst({ where: { id: modelId, ...USABLE } });
  if (!model) throw notFound(id);
  return model;
}

export interface RawCompletionRequest {
  model: Model;
  messages: ChatMessage[];
  /** What the caller asked for; capped by the model's own limit. */
  maxTokens?: number;
  temperature?: number;
}

export interface RawCompletionResult {
  text: string;
  usage: TokenUsage;
  finishReason: string;
  /** Null on success; 'cancelled' when the caller went away (what was produced is charged). */
  failure: ProviderError | null;
}

export interface RawCompletion {
  /** Streams the model's text into `onText`, then settles quota and records usage. Never throws. */
  run(onText: (text: string) => void): Promise<RawCompletionResult>;
  /** Stops the model call (the client disconnected). */
  abort(): void;
}

/**
 * Reserves quota for a direct model call and returns it ready to run. A
 * refusal (quota, an unusable provider) is thrown here, before anything is
 * streamed, so it answers as a plain HTTP error.
 */
export async function prepareRawCompletion(s: Services, actor: Actor, request: RawCompletionRequest): Promise<RawCompletion> {
  const { model } = request;
  const { endpoint } = await s.chatModels.forModel(model.id);
  const provider = createChatProvider({ ...endpoint, timeoutMs: s.config.chat.timeoutMs });
  const ceiling = model.maxOutputTokens ?? Number.POSITIVE_INFINITY;
  const maxTokens = Math.min(request.maxTokens ?? model.maxOutputTokens ?? DEFAULT_MAX_TOKENS, ceiling);
  const promptTokens = provider.countTokens(request.messages);
  const reservation = await s.quotas.reserve(
    { userId: actor.id, groupIds: [...actor.groups.keys()], assistantId: null, token: actor.token },
    { tokens: promptTokens + maxTokens, cost: costOf(model, promptTokens, maxTokens) },
  );
  const controller = new AbortController();

  async function run(onText: (text: string) => void): Promise<RawCompletionResult> {
    const started = performance.now();
    let text = '';
    let reported: TokenUsage | undefined;
    let finishReason = 'stop';
    let failure: ProviderError | null = null;
    try {
      const stream = streamWithRetries(
        () => provider.streamChat({ model: model.name, messages: request.messages, temperature: request.temperature, maxTokens, signal: controller.signal }),
        { retries: s.config.chat.retries, signal: controller.signal },
      );
      for await (const event of stream) {
        if (event.type === 'delta') {
          text += event.text;
          onText(event.text);
        } else if (event.type === 'done') {
          reported = event.usage;
          finishReason = event.finishReason;
        }
      }
    } catch (error) {
      failure = error instanceof ProviderError ? error : new ProviderError('unavailable', (error as Error).message, { cause: error });
    }
    const usage = reported ?? { promptTokens, completionTokens: text ? provider.countTokens([{ role: 'assistant', content: text }]) : 0 };
    const outcome = failure === null ? 'success' : failure.failure === 'cancelled' ? 'stopped' : 'error';
    if (outcome === 'error') s.logger.warn({ model: model.name, failure: failure!.failure, status: failure!.details.status, err: failure!.message }, 'raw model call failed');
    try {
      await chargeModelCall(s, {
        reservation,
        model,
        userId: actor.id,
        assistantId: null,
        conversationId: null,
        messageId: null,
        source: 'api',
        token: actor.token,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        latencyMs: Math.round(performance.now() - started),
        outcome,
      });
    } catch (error) {
      s.logger.error({ err: error, model: model.name }, 'could not record quota and usage for a raw model call');
    }
    return { text, usage: outcome === 'error' ? { promptTokens: 0, completionTokens: 0 } : usage, finishReason: failure ? 'stop' : finishReason, failure };
  }

  return { run, abort: () => controller.abort() };
}

/** A failed call as the error the API answers with; the details stay in the log. */
export function rawFailureError(failure: ProviderError): AppError {
  const info = describeFailure(failure);
  return new AppError('upstream_failed', info.message, info.details);
}
