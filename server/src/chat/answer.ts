import { randomUUID } from 'node:crypto';
import { Prisma, type Assistant, type Conversation, type ConversationAttachment, type Message, type Model } from '../db/generated/client.js';
import { AppError } from '../errors/appError.js';
import { retrievalSignal } from '../feedback/retrievalSignal.js';
import { costOf, usageInsertSql, type QuotaReservation, type UsageEntry } from '../governance/quotas/index.js';
import { memoryForAnswer, type AnswerMemory } from '../memory/answerMemory.js';
import type { MemoryState } from '../memory/memoryAccess.js';
import { enqueueMemoryProposal } from '../memory/proposeMemories.js';
import { retrievalParameters } from '../retrieval/retrievalParameters.js';
import type { RecalledMemory } from '../memory/recallMemories.js';
import type { Passage, PreparedSearch } from '../retrieval/retrievePassages.js';
import type { Services } from '../services.js';
import type { Database } from '../db/database.js';
import { runToolCalls } from '../tools/runToolCalls.js';
import type { AssistantTool } from '../tools/tool.js';
import type { ToolCallRecord } from '../tools/toolCallRecord.js';
import { toolsForAnswer } from '../tools/toolsForAnswer.js';
import type { ChatErrorInfo } from './chatEvents.js';
import { ChunkCoalescer } from './chunkCoalescer.js';
import { pathTo } from './conversationTree.js';
import { flowStepsOf, type FlowStep, type FlowStepRecord } from './flows/flowStep.js';
import { runFlow, stepMaterial } from './flows/runFlow.js';
import type { Generation } from './generationHub.js';
import { ProviderError, type ChatMessage, type ChatProvider, type ChatRequest, type ProviderEndpoint, type TokenUsage, type ToolCallRequest } from './llm/chatProvider.js';
import { HeadStart } from './llm/headStart.js';
import { createChatProvider } from './llm/registry.js';
import { streamWithRetries } from './llm/retries.js';
import { chargeModelCall, usageEntryOf, type ModelCallCharge } from './modelCallCharge.js';
import { buildPrompt, type PromptInput } from './prompt/buildPrompt.js';
import { ATTACHMENT_BOOST, noAttachments, ocrNotice, planAttachments, readyAttachments } from './attachmentsForAnswer.js';
import { imageParts } from './imageParts.js';
import { answersInSearchMode, SEARCH_MODE, SEARCH_MODE_PASSAGES, searchModeAnswer } from './searchMode.js';
import { storedSources } from './sources.js';
import { generateTitle } from './titles.js';
import type { KnowledgeReader } from '../policies/knowledgeBases.js';

// How a question becomes an answer, top to bottom: retrieve passages, build
// the prompt, reserve quota, call the model and meanwhile store the question
// and an empty answer, stream while saving as it goes, then settle quota and
// usage and publish the stored answer. prepareAnswer does everything that can
// refuse the request (so a refusal is a plain HTTP error; a model call already
// sent is then cancelled); runAnswer streams. With no model to answer
// (chat/searchMode.ts) the best passages are the answer.

/** Said, without a model call, when "answer only from knowledge" finds nothing but the message kept a memory. */
export const memorySavedAnswer = (note: string) => `I've saved this to your memory: “${note}”`;

/** Said instead of guessing when "answer only from knowledge" finds nothing. */
export const NO_KNOWLEDGE_ANSWER =
  "I couldn't find anything about this in my knowledge files, so I can't answer it. Try rephrasing the question, or ask whoever maintains this assistant to add a document that covers it.";

// The answer row is written at most this often while streaming, so a crash loses little and 200 streams don't flood the database.
const SAVE_INTERVAL_MS = 1000;

// Who asks: retrieval reads only the attached knowledge bases they may read.
export type AnswerActor = KnowledgeReader & { email?: string; token?: { id: string; name: string } };

export interface AnswerRequest {
  conversation: Conversation;
  assistant: Assistant;
  actor: AnswerActor;
  /** A new question to store (send, edit), or the stored one to answer again (regenerate). */
  question: { content: string; parentId: string | null; editHistory?: Prisma.InputJsonValue } | { existing: Message };
  /** The conversation's messages when the caller already read them (saves a read on the hot path). */
  thread?: ThreadMessage[];
  /** The conversation's ready attachments, when the caller already read them (same reason). */
  attachments?: ConversationAttachment[];
  /** The knowledge search, when the caller started it beside the access check. */
  preparedSearch?: PreparedSearch;
  /** Whether a quota applies and the asker's memory state, when the caller already read them (same reason). */
  asker?: AskerState;
}

/** What an answer asks about the asker before the model call, when the caller's first read included it (turnToAnswerIn). */
export interface AskerState {
  /** Whether a quota governs their calls to this assistant. */
  quotaApplies: boolean;
  memory: MemoryState;
}

/** What the prompt needs of each earlier message. */
export type ThreadMessage = Pick<Message, 'id' | 'parentId' | 'createdAt' | 'role' | 'content' | 'status'>;

/** One model writing the answer: its provider, the prompt sized for its context window, and the quota held for it. */
export interface ModelCall {
  model: Model;
  provider: ChatProvider;
  messages: ChatMessage[];
  /** The passages that fitted in this model's prompt: the answer's sources. */
  passages: Passage[];
  /** The user's memories that fitted in the prompt: the answer's memory sources. */
  memories: RecalledMemory[];
  promptTokens: number;
  maxTokens: number;
  reservation: QuotaReservation;
}

/** What a prompt is built from, kept so a fallback model gets a prompt sized for its own window. */
export type PromptMaterial = Omit<PromptInput, 'contextWindow' | 'answerTokens' | 'countTokens'> & {
  /** Said before the answer (images read by OCR for a model that cannot see them). */
  notice: string | null;
};

interface PreparedAnswer {
  generation: Generation;
  /** The assistant's model, which the answer is stored under until another one answers; null in search mode. */
  model: Model | null;
  /** Null when "answer only from knowledge" found nothing, or in search mode: no model is called. */
  call: ModelCall | null;
  /** Search mode: the passages that are the answer (null otherwise, and when none was found). */
  quoted: Passage[] | null;
  material: PromptMaterial;
  memory: AnswerMemory;
  /** The tools this answer may offer its model, by name (empty: a plain answer, or a flow). */
  tools: ReadonlyMap<string, AssistantTool>;
  /** The assistant's flow steps (chat/flows); null when one model answers. `call` is then the first step's. */
  flow: FlowStep[] | null;
  /** The first model call, sent while the turn was stored (one model answering, no flow). */
  headStart: HeadStart | null;
  firstExchange: boolean;
  request: AnswerRequest;
  startedAt: number;
}

export async function startAnswer(s: Services, request: AnswerRequest): Promise<Generation> {
  const claim = await s.generations.claim(request.conversation.id);
  let prepared: PreparedAnswer;
  try {
    prepared = await prepareAnswer(s, request, claim.open);
  } catch (error) {
    claim.release();
    throw error;
  }
  const { generation } = prepared;
  void runAnswer(s, prepared)
    .finally(() => prepared.headStart?.abandon())
    .catch((error: unknown) => {
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

  // Whether a quota applies is asked now, beside retrieval, not after the prompt is built.
  const quotaApplies = s.quotas.applies(quotaScope(request), request.asker?.quotaApplies);
  quotaApplies.catch(() => undefined);
  const ragDefaults = await s.settings.get('rag.defaults');
  const flow = flowStepsOf(assistant.flowSteps);
  // Attachments decide part of the prompt from the model's window, so with any
  // ready the model is resolved first; without, everything runs at once.
  const modelLookup = flow ? s.chatModels.forModel(flow[0]!.modelId) : answeringModel(s, assistant);
  const attachments = assistant.attachmentsEnabled ? (request.attachments ?? (await readyAttachments(s, conversation.id))) : [];
  const plan =
    attachments.length === 0
      ? noAttachments
      : await modelLookup.then((resolved) => planAttachments(s, attachments, resolved?.model ?? null, answerTokensFor(assistant, resolved?.model ?? null)));
  // A flow's steps do not call tools: each step is one model call.
  const [resolved, history, retrieved, tools, memory, images] = await Promise.all([
    modelLookup,
    historyBefore(s, conversation.id, parentId, request.thread),
    s.retriever.retrieve({
      assistantId: assistant.id,
      reader: actor,
      query: question,
      ...retrievalParameters(assistant, ragDefaults, s.retriever.defaultMinScore),
      ...(plan.searchedIds.length > 0 ? { attachmentIds: plan.searchedIds, attachmentBoost: ATTACHMENT_BOOST } : {}),
      prepared: request.preparedSearch,
    }),
    flow ? new Map<string, AssistantTool>() : toolsForAnswer(s, assistant, actor),
    memoryForAnswer(s, { actor, conversation, question, newQuestion: !('existing' in request.question), state: request.asker?.memory }),
    imageParts(s, plan.images, s.logger),
  ]);
  const passages = [...plan.wholePassages, ...retrieved];
  const material: PromptMaterial = {
    instructions: assistant.instructions,
    knowledgeOnly: assistant.knowledgeOnly,
    passages,
    memories: memory.recalled,
    savedMemory: memory.saved?.text ?? null,
    history,
    question,
    images,
    notice: plan.ocrImages.length > 0 ? ocrNotice(plan.ocrImages) : null,
  };
  // Nothing is reserved or charged when the model is not called.
  const firstMaterial = flow ? stepMaterial(material, flow, 0, []) : material;
  const call = !resolved || (assistant.knowledgeOnly && passages.length === 0) ? null : await modelCall(s, request, firstMaterial, resolved, quotaApplies);
  const quoted = !resolved && passages.length > 0 ? passages.slice(0, SEARCH_MODE_PASSAGES) : null;
  // The model's time to first token overlaps storing the turn: its events wait until the answer is open to take them.
  const headStart = call && !flow ? await startFirstCall(s, request, call, tools) : null;

  try {
    const { userMessage, answer } = await storeTurn(s, request, resolved?.model ?? null);
    const generation = open(actor.id, answer.id);
    headStart?.follow(generation.controller.signal);
    generation.begin(userMessage, answer);
    return {
      generation,
      model: resolved?.model ?? null,
      call,
      quoted,
      material,
      memory,
      tools,
      flow,
      headStart,
      firstExchange: history.length === 0 && conversation.title === DEFAULT_TITLE,
      request,
      startedAt,
    };
  } catch (error) {
    headStart?.abandon();
    await call?.reservation.release();
    throw error;
  }
}

/** The answer's first model call, sent now; tools are offered as runAnswer's first step would offer them. */
async function startFirstCall(s: Services, request: AnswerRequest, call: ModelCall, tools: ReadonlyMap<string, AssistantTool>) {
  const limits = await s.settings.get('tools');
  return new HeadStart((signal) => call.provider.streamChat(chatRequest(call, request, tools, firstToolChoice(limits), signal)));
}

/** The first call may use tools only when there is a step after it to hand their results to. */
function firstToolChoice(limits: { maxSteps: number }): 'auto' | 'none' {
  return limits.maxSteps > 1 ? 'auto' : 'none';
}

/** What one model call of this answer sends. */
function chatRequest(call: ModelCall, request: AnswerRequest, tools: ReadonlyMap<string, AssistantTool>, toolChoice: 'auto' | 'none', signal: AbortSignal): ChatRequest {
  const definitions = [...tools.values()].map((tool) => tool.definition);
  return {
    model: call.model.name,
    messages: call.messages,
    temperature: request.assistant.temperature,
    maxTokens: call.maxTokens,
    ...(definitions.length > 0 ? { tools: definitions, toolChoice } : {}),
    signal,
  };
}

/** The assistant's model and its endpoint; null when no model can answer for it (search mode). Other failures refuse the request. */
async function answeringModel(s: Services, assistant: Assistant): Promise<{ model: Model; endpoint: ProviderEndpoint } | null> {
  try {
    return await s.chatModels.forAssistant(assistant.modelId);
  } catch (error) {
    if (await answersInSearchMode(s.prisma, assistant)) return null;
    throw error;
  }
}

/** A model ready to answer: the prompt built for its window and the quota reserved for its estimate. */
async function modelCall(s: Services, request: AnswerRequest, material: PromptMaterial, resolved: { model: Model; endpoint: ProviderEndpoint }, quotaApplies?: Promise<boolean>): Promise<ModelCall> {
  const { model, endpoint } = resolved;
  const { assistant, actor } = request;
  const provider = createChatProvider({ ...endpoint, timeoutMs: s.config.chat.timeoutMs });
  const maxTokens = answerTokensFor(assistant, model);
  // A fallback model without vision gets no image parts (it would refuse them).
  const prompt = buildPrompt({ ...material, images: model.vision ? material.images : undefined, contextWindow: model.contextWindow, answerTokens: maxTokens, countTokens: (messages, countedText) => provider.countTokens(messages, countedText) });
  const reservation = await s.quotas.reserve(quotaScope(request), { tokens: prompt.promptTokens + maxTokens, cost: costOf(model, prompt.promptTokens, maxTokens) }, quotaApplies);
  return { model, provider, messages: prompt.messages, passages: prompt.passages, memories: prompt.memories, promptTokens: prompt.promptTokens, maxTokens, reservation };
}

/** Tokens kept for the answer: the assistant's limit, capped by the model's. */
function answerTokensFor(assistant: Assistant, model: Model | null): number {
  return Math.min(assistant.maxTokens, model?.maxOutputTokens ?? assistant.maxTokens);
}

/** Whose allowances a model call of this answer draws on. */
function quotaScope({ actor, assistant }: AnswerRequest) {
  return { userId: actor.id, groupIds: [...actor.groups.keys()], assistantId: assistant.id, token: actor.token };
}

/** The same model again after its tool calls: the conversation grown by them, and quota reserved anew (refusal throws). */
async function nextStep(s: Services, request: AnswerRequest, previous: ModelCall, messages: ChatMessage[]): Promise<ModelCall> {
  const promptTokens = previous.provider.countTokens(messages);
  const reservation = await s.quotas.reserve(quotaScope(request), { tokens: promptTokens + previous.maxTokens, cost: costOf(previous.model, promptTokens, previous.maxTokens) });
  return { ...previous, messages, promptTokens, reservation };
}

export const DEFAULT_TITLE = 'New conversation';

/** How one model's stream went: what it reported, or how it failed and whether any text had reached the user. */
export interface StreamOutcome {
  usage?: TokenUsage;
  finishReason: string;
  /** What the model asked to have run before it goes on (finish reason tool_calls). */
  toolCalls: ToolCallRequest[];
  failure: ProviderError | null;
  delivered: boolean;
  latencyMs: number;
}

async function runAnswer(s: Services, p: PreparedAnswer): Promise<void> {
  const { generation } = p;
  const messageId = generation.messageId;
  let text = '';
  let lastSave = Date.now();
  let saving: Promise<unknown> = Promise.resolve();

  const chunks = new ChunkCoalescer((chunk) => generation.chunk(chunk));
  const onText = (delta: string) => {
    text += delta;
    chunks.push(delta);
    if (Date.now() - lastSave >= SAVE_INTERVAL_MS) {
      lastSave = Date.now();
      const partial = text;
      saving = saving.then(() => s.prisma.message.update({ where: { id: messageId }, data: { content: partial } })).catch(() => undefined);
    }
  };

  let call = p.call;
  let fallbackFrom: string | null = null;
  let outcome: StreamOutcome = { finishReason: 'no_knowledge', toolCalls: [], failure: null, delivered: true, latencyMs: 0 };
  const toolRecords: ToolCallRecord[] = [];
  // Usage of the steps before the last (each already charged), and a refusal of quota between steps.
  const earlier = { promptTokens: 0, completionTokens: 0 };
  let refusal: ChatErrorInfo | null = null;
  let lastCallCharged = false;
  let stepStart = 0;
  let flowSteps: FlowStepRecord[] | null = null;
  // Without a model call nothing below would wait: let the caller subscribe (SSE) before the first chunk.
  if (!call) await new Promise((resolve) => setImmediate(resolve));
  if (p.quoted) {
    outcome.finishReason = SEARCH_MODE;
    for (const part of searchModeAnswer(p.quoted)) {
      text += part;
      generation.chunk(part);
    }
  } else if (!call) {
    text = p.memory.saved ? memorySavedAnswer(p.memory.saved.text) : NO_KNOWLEDGE_ANSWER;
    if (p.memory.saved) outcome.finishReason = 'memory_saved';
    generation.chunk(text);
  } else if (p.flow) {
    // The first step is announced at once: let the caller subscribe (SSE) before it.
    await new Promise((resolve) => setImmediate(resolve));
    const result = await runFlow(p.flow, call, p.material, {
      prepare: async (step, material) => modelCall(s, p.request, material, await s.chatModels.forModel(step.modelId)),
      stream: (stepCall, onStepText) => streamFrom(s, stepCall, p, { retries: s.config.chat.retries, onText: onStepText }),
      charge: (stepCall, charge) => chargeCall(s, p, stepCall, charge),
      onStep: (record) => generation.step(record),
      onStepText: (index, delta) => generation.stepText(index, delta),
      onAnswerText: onText,
    });
    // Every step was charged as it ended; the totals go on the message.
    ({ outcome, refusal } = result);
    call = result.last;
    flowSteps = result.steps;
    earlier.promptTokens = result.usage.promptTokens;
    earlier.completionTokens = result.usage.completionTokens;
    lastCallCharged = true;
  } else {
    if (p.material.notice) onText(p.material.notice);
    const limits = await s.settings.get('tools');
    const firstChoice = firstToolChoice(limits);
    const fallbackModelId = p.request.assistant.fallbackModelId;
    // With a fallback model, the fallback is the retry: the assistant's own model gets one attempt.
    outcome = await streamFrom(s, call, p, { retries: fallbackModelId ? 0 : s.config.chat.retries, onText, toolChoice: firstChoice, headStart: p.headStart ?? undefined });
    const fallback = fallbackModelId && outcome.failure && !outcome.delivered ? await fallBack(s, p, call, outcome.failure, fallbackModelId) : null;
    if (fallback) {
      await chargeCall(s, p, call, { outcome: 'error', promptTokens: 0, completionTokens: 0, latencyMs: outcome.latencyMs });
      fallbackFrom = call.model.name;
      call = fallback;
      outcome = await streamFrom(s, call, p, { retries: s.config.chat.retries, onText, toolChoice: firstChoice });
    }

    // The tool loop: run what the model asked for, hand back the results, let it go on; each step is its own charged model call.
    let step = 1;
    while (outcome.finishReason === 'tool_calls' && outcome.toolCalls.length > 0 && !outcome.failure && step < limits.maxSteps) {
      const records = await runToolCalls(outcome.toolCalls, p.tools, {
        ...limits,
        step,
        offset: text.length,
        context: { userId: p.request.actor.id, assistantId: p.request.assistant.id },
        signal: generation.controller.signal,
        onUpdate: (record) => generation.tool(record),
        // Only the chat app (socket.io, SSE) can put the question to the user; API and MCP callers cannot answer it.
        askUser: p.request.conversation.source === 'chat' ? (record) => askUserFirst(s, p, record, limits.approvalTimeoutMs) : undefined,
        approvalTimeoutMs: limits.approvalTimeoutMs,
      });
      toolRecords.push(...records);
      void auditToolCalls(s, p, records);
      const stepText = text.slice(stepStart);
      const usage = outcome.usage ?? { promptTokens: call.promptTokens, completionTokens: call.provider.countTokens([{ role: 'assistant', content: stepText, toolCalls: outcome.toolCalls }]) };
      earlier.promptTokens += usage.promptTokens;
      earlier.completionTokens += usage.completionTokens;
      await chargeCall(s, p, call, { outcome: 'success', ...usage, latencyMs: outcome.latencyMs });
      lastCallCharged = true;
      if (generation.controller.signal.aborted) {
        outcome = { ...outcome, usage: undefined, failure: new ProviderError('cancelled', 'Stopped during a tool call') };
        break;
      }
      const messages: ChatMessage[] = [
        ...call.messages,
        { role: 'assistant', content: stepText, toolCalls: outcome.toolCalls },
        ...records.map((r): ChatMessage => ({ role: 'tool', toolCallId: r.id, name: r.tool, content: toolResultForModel(r), isError: r.error !== null })),
      ];
      try {
        call = await nextStep(s, p.request, call, messages);
      } catch (error) {
        refusal = error instanceof AppError ? { code: error.code, message: error.message, details: error.details } : { code: 'internal', message: 'The answer could not go on.' };
        outcome = { ...outcome, usage: undefined };
        break;
      }
      lastCallCharged = false;
      step++;
      if (text && !text.endsWith('\n')) onText('\n\n');
      stepStart = text.length;
      // The last step keeps the tools in view (the calls so far refer to them) but asks for the answer in words.
      outcome = await streamFrom(s, call, p, { retries: s.config.chat.retries, onText, toolChoice: step >= limits.maxSteps ? 'none' : 'auto' });
    }
    if (outcome.finishReason === 'tool_calls' && !outcome.failure && !refusal) outcome = { ...outcome, finishReason: 'tool_limit' };
  }
  chunks.flush();
  await saving;

  const { failure } = outcome;
  const stopped = failure?.failure === 'cancelled';
  const failed = (failure !== null && !stopped) || refusal !== null;
  const latencyMs = Math.round(performance.now() - p.startedAt);
  const lastPrompt = lastCallCharged ? 0 : (outcome.usage?.promptTokens ?? (call ? call.promptTokens : 0));
  const lastCompletion = lastCallCharged ? 0 : (outcome.usage?.completionTokens ?? (call && text ? call.provider.countTokens([{ role: 'assistant', content: text.slice(stepStart) }]) : 0));
  const promptTokens = earlier.promptTokens + lastPrompt;
  const completionTokens = earlier.completionTokens + lastCompletion;
  const errorInfo = refusal ?? (failed && failure ? describeFailure(failure) : null);
  if (failed && failure) s.logger.warn({ messageId, model: call?.model.name, failure: failure.failure, status: failure.details.status, err: failure.message }, 'model call failed');

  const lastCall = call && !lastCallCharged ? { call, outcome: failed ? ('error' as const) : stopped ? ('stopped' as const) : ('success' as const), promptTokens: lastPrompt, completionTokens: lastCompletion, latencyMs } : null;
  // With no quota held for the last call there is nothing to settle: its usage record goes in the answer's last statement (one round trip fewer).
  const usageWithAnswer = lastCall && !lastCall.call.reservation.held ? usageEntryOf(chargeOf(p, lastCall.call, lastCall)) : null;
  const saved = await storeAnswer(s.db, messageId, {
    content: text,
    status: failed ? 'error' : stopped ? 'stopped' : 'complete',
    finishReason: failed ? 'error' : stopped ? 'stopped' : outcome.finishReason,
    model: (call?.model ?? p.model)?.name ?? null,
    fallbackFrom,
    promptTokens: call && !failed ? promptTokens : null,
    completionTokens: call && !failed ? completionTokens : null,
    latencyMs,
    error: errorInfo?.message ?? null,
    toolCalls: toolRecords.length > 0 ? toolRecords : null,
    steps: flowSteps,
    sources: storedSources(call?.passages ?? p.quoted ?? [], call ? call.memories : p.memory.saved ? [p.memory.saved] : []),
    ...retrievalSignal(p.material.passages),
  }, usageWithAnswer);
  // The client hears the end first; quota and usage follow off its path.
  if (failed) generation.end({ type: 'error', conversationId: generation.conversationId, messageId, error: errorInfo!, message: saved });
  else generation.end({ type: 'done', conversationId: generation.conversationId, message: saved });
  try {
    if (lastCall && !usageWithAnswer) await chargeCall(s, p, lastCall.call, lastCall);
  } finally {
    generation.close();
  }

  // Memory proposals come later, from the job queue, never on the answer's path.
  if (p.memory.active && call && !failed && !stopped) {
    void enqueueMemoryProposal(s, { userId: p.request.actor.id, conversationId: p.request.conversation.id }).catch((error: unknown) =>
      s.logger.warn({ err: error, conversationId: generation.conversationId }, 'could not queue memory proposals'),
    );
  }

  if (p.firstExchange && !failed && call && s.config.chat.titles) {
    void generateTitle(s, { conversation: p.request.conversation, actor: p.request.actor, question: p.material.question, answer: text, model: call.model, provider: call.provider }).catch(
      (error: unknown) => s.logger.warn({ err: error, conversationId: generation.conversationId }, 'title generation failed'),
    );
  }
}

/** Streams one model's answer into `onText`; every failure is caught and reported in the outcome. */
async function streamFrom(
  s: Services,
  call: ModelCall,
  p: PreparedAnswer,
  options: { retries: number; onText: (text: string) => void; toolChoice?: 'auto' | 'none'; headStart?: HeadStart },
): Promise<StreamOutcome> {
  const { generation } = p;
  const started = options.headStart?.startedAt ?? performance.now();
  const outcome: StreamOutcome = { finishReason: 'stop', toolCalls: [], failure: null, delivered: false, latencyMs: 0 };
  let headStart = options.headStart;
  try {
    const stream = streamWithRetries(
      () => {
        // The first attempt may already be under way; a retry is a new request.
        const early = headStart;
        headStart = undefined;
        return early ? early.take() : call.provider.streamChat(chatRequest(call, p.request, p.tools, options.toolChoice ?? 'auto', generation.controller.signal));
      },
      {
        retries: options.retries,
        signal: generation.controller.signal,
        onRetry: (error, attempt, waitMs) =>
          s.logger.warn({ messageId: generation.messageId, model: call.model.name, attempt, waitMs, failure: error.failure, err: error.message }, 'model call failed; retrying'),
      },
    );
    for await (const event of stream) {
      if (event.type === 'delta') {
        outcome.delivered = true;
        options.onText(event.text);
      } else if (event.type === 'tool_call') {
        outcome.toolCalls.push(event.call);
      } else if (event.type === 'done') {
        outcome.usage = event.usage;
        outcome.finishReason = event.finishReason;
      }
    }
  } catch (error) {
    outcome.failure = error instanceof ProviderError ? error : new ProviderError('unavailable', (error as Error).message, { cause: error });
  }
  outcome.latencyMs = Math.round(performance.now() - started);
  return outcome;
}

// Failures another model may not share. A refused request (bad input, context
// too long) would be refused again, and a stop is the user's choice.
const FALLBACK_FAILURES = new Set<ProviderError['failure']>(['unavailable', 'timeout', 'rate_limited', 'unauthorized']);

/**
 * The assistant's fallback model, ready to answer in place of one that failed
 * before its first token; null when the failure is not one to fall back on, or
 * the fallback cannot be used (disabled, over quota), so the first failure stands.
 */
async function fallBack(s: Services, p: PreparedAnswer, failed: ModelCall, failure: ProviderError, fallbackModelId: string): Promise<ModelCall | null> {
  if (!FALLBACK_FAILURES.has(failure.failure) || p.generation.controller.signal.aborted) return null;
  const log = s.logger.child({ messageId: p.generation.messageId, from: failed.model.name, failure: failure.failure });
  let next: ModelCall;
  try {
    next = await modelCall(s, p.request, p.material, await s.chatModels.forModel(fallbackModelId));
  } catch (error) {
    log.warn({ err: error }, 'fallback model not usable; the failure stands');
    return null;
  }
  log.warn({ to: next.model.name }, 'model failed before its first token; answering with the fallback model');
  const { actor } = p.request;
  await s.audit
    .record({
      actor: { id: actor.id, email: actor.email ?? null },
      action: 'chat.fallback',
      resource: { type: 'message', id: p.generation.messageId },
      newValues: { assistantId: p.request.assistant.id, from: failed.model.name, to: next.model.name, failure: failure.failure, status: failure.details.status ?? null },
      meta: {},
    })
    .catch((error: unknown) => log.error({ err: error }, 'could not audit a model fallback'));
  return next;
}

/** What the model reads back for a call: its result, its error, or why it was not run. */
function toolResultForModel(record: ToolCallRecord): string {
  if (record.status === 'denied') return record.error ?? '';
  return record.error ? `Error: ${record.error}` : (record.result ?? '');
}

/** Asks the answer's owner about an "ask first" call and audits the decision (who, which tool, how it ended, how long it waited). */
async function askUserFirst(s: Services, p: PreparedAnswer, record: ToolCallRecord, timeoutMs: number) {
  const asked = performance.now();
  const reply = await p.generation.askApproval(record, timeoutMs);
  const { actor, assistant } = p.request;
  await s.audit
    .record({
      actor: { id: actor.id, email: actor.email ?? null },
      action: 'tool.approval',
      resource: { type: 'message', id: p.generation.messageId },
      newValues: { assistantId: assistant.id, tool: record.tool, server: record.server, callId: record.id, decision: reply.decision, waitedMs: Math.round(performance.now() - asked) },
      meta: {},
    })
    .catch((error: unknown) => s.logger.error({ err: error, messageId: p.generation.messageId }, 'could not audit a tool approval'));
  return reply;
}

/** Each tool call in the audit log: who, which tool and server, how it went, how long; never its arguments or result. */
async function auditToolCalls(s: Services, p: PreparedAnswer, records: ToolCallRecord[]): Promise<void> {
  const { actor, assistant } = p.request;
  for (const record of records) {
    await s.audit
      .record({
        actor: { id: actor.id, email: actor.email ?? null },
        action: 'tool.call',
        resource: { type: 'message', id: p.generation.messageId },
        newValues: { assistantId: assistant.id, tool: record.tool, server: record.server, outcome: record.status, durationMs: record.durationMs, ...(actor.token ? { tokenId: actor.token.id } : {}) },
        meta: {},
      })
      .catch((error: unknown) => s.logger.error({ err: error, messageId: p.generation.messageId }, 'could not audit a tool call'));
  }
}

/** Quota and usage for one model call of this answer; a bookkeeping failure is logged, never thrown at the user. */
async function chargeCall(
  s: Services,
  p: PreparedAnswer,
  call: ModelCall,
  r: Pick<ModelCallCharge, 'outcome' | 'promptTokens' | 'completionTokens' | 'latencyMs'>,
): Promise<void> {
  try {
    await chargeModelCall(s, chargeOf(p, call, r));
  } catch (error) {
    s.logger.error({ err: error, messageId: p.generation.messageId }, 'could not record quota and usage for a model call');
  }
}

function chargeOf(p: PreparedAnswer, call: ModelCall, r: Pick<ModelCallCharge, 'outcome' | 'promptTokens' | 'completionTokens' | 'latencyMs'>): ModelCallCharge {
  return {
    reservation: call.reservation,
    model: call.model,
    userId: p.request.actor.id,
    assistantId: p.request.assistant.id,
    conversationId: p.request.conversation.id,
    messageId: p.generation.messageId,
    source: p.request.conversation.source,
    token: p.request.actor.token,
    outcome: r.outcome,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    latencyMs: r.latencyMs,
  };
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
 * time and the new answer as the branch shown (a regenerated or edited
 * version becomes the one on screen), in one statement: this is on every
 * message's path to its first token.
 */
async function storeTurn(s: Services, request: AnswerRequest, model: Model | null): Promise<{ userMessage: Message | null; answer: Message }> {
  // Explicit, distinct times: the tree orders a question before its answer by time.
  const asked = new Date();
  const answered = new Date(asked.getTime() + 1);
  const conversationId = request.conversation.id;
  const base = { conversationId, model: null, fallbackFrom: null, toolCalls: null, steps: null, retrievalPassages: null, retrievalTopScore: null, promptTokens: null, completionTokens: null, finishReason: null, latencyMs: null, sources: null, error: null };
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
    model: model?.name ?? null,
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
  const statement = Prisma.sql`
    WITH touched AS (UPDATE conversations SET last_message_at = ${answered}, updated_at = ${answered}, active_leaf_id = ${answer.id}::uuid WHERE id = ${conversationId}::uuid RETURNING id)
    ${insertQuestion},
    answer AS (
      INSERT INTO messages (id, conversation_id, parent_id, role, content, status, model, edit_history, created_at, updated_at)
      VALUES (${answer.id}::uuid, ${conversationId}::uuid, ${answer.parentId}::uuid, 'assistant', '', 'streaming', ${model?.name ?? null}, '[]'::jsonb, ${answered}, ${answered})
      RETURNING id)
    SELECT 1`;
  await s.db.query(statement.text, statement.values);
  return { userMessage, answer };
}

/** What the prompt and the tree need of each message; a question's first read (turnToAnswerIn) selects the same in SQL. */
export const THREAD_MESSAGE = { id: true, parentId: true, createdAt: true, role: true, content: true, status: true } satisfies Prisma.MessageSelect;

/** How an answer ended, as its message row keeps it. */
export type AnswerEnd = Pick<
  Message,
  'content' | 'status' | 'finishReason' | 'model' | 'fallbackFrom' | 'promptTokens' | 'completionTokens' | 'latencyMs' | 'error' | 'retrievalPassages' | 'retrievalTopScore'
> & { toolCalls: ToolCallRecord[] | null; steps: FlowStepRecord[] | null; sources: unknown[] };

/** A message row as Prisma's Message has it (tsv left out). */
const MESSAGE_FIELDS = `id, conversation_id AS "conversationId", parent_id AS "parentId", role, content, status, model,
  prompt_tokens AS "promptTokens", completion_tokens AS "completionTokens", finish_reason AS "finishReason", latency_ms AS "latencyMs",
  sources, error, edit_history AS "editHistory", fallback_from AS "fallbackFrom", tool_calls AS "toolCalls", steps,
  retrieval_passages AS "retrievalPassages", retrieval_top_score AS "retrievalTopScore", created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * The answer as it ended, in one statement straight to the driver: the last
 * write before the client hears `done`; with `usage`, the last model call's
 * usage record is written by the same statement.
 */
export async function storeAnswer(db: Pick<Database, 'query'>, messageId: string, end: AnswerEnd, usage: UsageEntry | null = null): Promise<Message> {
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  const update = Prisma.sql`UPDATE messages
        SET content = ${end.content}, status = ${end.status}::"MessageStatus", finish_reason = ${end.finishReason}, model = ${end.model},
            fallback_from = ${end.fallbackFrom}, prompt_tokens = ${end.promptTokens}::int, completion_tokens = ${end.completionTokens}::int,
            latency_ms = ${end.latencyMs}::int, error = ${end.error}, tool_calls = ${json(end.toolCalls)}::jsonb, steps = ${json(end.steps)}::jsonb,
            sources = ${json(end.sources)}::jsonb, retrieval_passages = ${end.retrievalPassages}::int, retrieval_top_score = ${end.retrievalTopScore}::float8,
            updated_at = ${new Date()}
      WHERE id = ${messageId}::uuid
      RETURNING ${Prisma.raw(MESSAGE_FIELDS)}`;
  const statement = usage ? Prisma.sql`WITH usage AS (${usageInsertSql(usage)}) ${update}` : update;
  const [saved] = await db.query<Message>(statement.text, statement.values);
  if (!saved) throw new Error(`The answer's message ${messageId} is gone (its conversation was deleted)`);
  return saved;
}

/** The conversation's messages, oldest first. */
function readThread(s: Pick<Services, 'prisma'>, conversationId: string): Promise<ThreadMessage[]> {
  return s.prisma.message.findMany({ where: { conversationId }, select: THREAD_MESSAGE, orderBy: { createdAt: 'asc' } });
}

/** The turns before `parentId` on its branch, as prompt messages; failed answers are left out. */
async function historyBefore(s: Services, conversationId: string, parentId: string | null, thread?: ThreadMessage[]): Promise<ChatMessage[]> {
  if (!parentId) return [];
  const messages = thread ?? (await readThread(s, conversationId));
  return pathTo(messages, parentId)
    .filter((m) => m.status !== 'error' && m.content.trim() !== '' && m.role !== 'system')
    .map((m) => ({ role: m.role, content: m.content }));
}

