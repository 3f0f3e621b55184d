import { z } from 'zod';
import { ProviderError, type ChatMessage } from '../chat/llm/chatProvider.js';
import { createChatProvider } from '../chat/llm/registry.js';
import { chargeModelCall } from '../chat/modelCallCharge.js';
import { AppError } from '../errors/appError.js';
import { costOf } from '../governance/quotas/index.js';
import type { JobHandler } from '../jobs/worker.js';
import type { Services } from '../services.js';
import { memoryState } from './memoryAccess.js';
import { clipNote } from './memoryCue.js';
import { embedMemory, insertMemory, MEMORY_LIMIT } from './memoryStore.js';

// After a conversation, Atrium may propose memories: a model call under the
// user's own quota reads the turns not yet read and answers 0–3 notes as JSON,
// stored as `proposed` for the user to keep or discard (Memory page).
//
// Throttle: at most one proposal job is queued per conversation (the queue's
// dedupe key), and it runs MEMORY_PROPOSAL_DELAY_SECONDS after the answer that
// queued it; answers in between join that run. Each run reads only the turns
// after the conversation's `memory_reviewed_at`, at most the last few, so a
// long conversation costs one small call per quiet spell, not one per turn.

export const PROPOSE_MEMORIES = 'memory.propose';

const Payload = z.object({ userId: z.uuid(), conversationId: z.uuid() });

/** The most notes one run proposes. */
export const MAX_PROPOSALS = 3;
/** Turns (questions and answers) one run reads, newest. */
const TURNS_READ = 8;
const TURN_CHARS = 1500;
const MAX_PROPOSAL_TOKENS = 300;

const PROPOSAL_PROMPT = `You help a user keep short notes about themselves for future conversations with a company assistant.
Read the conversation below and propose at most ${MAX_PROPOSALS} durable facts or preferences about the user (their role, team, projects, how they like answers), each as one short sentence written about the user, e.g. "Works in the Berlin office".
Do not propose: anything about other people, passwords or other secrets, health or other sensitive personal data, one-off requests, or anything already in "Already remembered".
Reply with JSON only, exactly of the form {"memories": ["..."]}. Reply {"memories": []} when nothing is worth keeping.`;

export function enqueueMemoryProposal(s: Pick<Services, 'jobs' | 'config'>, payload: z.infer<typeof Payload>): Promise<void> {
  return s.jobs.enqueue(PROPOSE_MEMORIES, payload, {
    dedupeKey: `memory-propose:${payload.conversationId}`,
    maxAttempts: 2,
    runAt: new Date(Date.now() + s.config.memory.proposalDelayMs),
  });
}

export function proposeMemoriesJob(s: Services): JobHandler {
  return {
    type: PROPOSE_MEMORIES,
    run: (payload, { signal }) => proposeMemories(s, Payload.parse(payload), signal),
    isRetryable: (error) => error instanceof ProviderError && error.retryable,
  };
}

/** The notes in a model's reply: {"memories": [...]} or a bare array, even inside a code fence; anything else is none. */
export function parseProposals(reply: string): string[] {
  const start = reply.search(/[[{]/);
  const end = Math.max(reply.lastIndexOf('}'), reply.lastIndexOf(']'));
  if (start < 0 || end < start) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.slice(start, end + 1));
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { memories?: unknown })?.memories;
  if (!Array.isArray(list)) return [];
  const seen = new Set<string>();
  return list
    .filter((m): m is string => typeof m === 'string')
    .map((m) => clipNote(m.replace(/\s+/g, ' ')))
    .filter((m) => m.length > 0 && !seen.has(m.toLowerCase()) && seen.add(m.toLowerCase()))
    .slice(0, MAX_PROPOSALS);
}

export async function proposeMemories(s: Services, job: z.infer<typeof Payload>, signal: AbortSignal): Promise<void> {
  const log = s.logger.child({ conversationId: job.conversationId, job: PROPOSE_MEMORIES });
  if (!(await memoryState(s.db, job.userId)).active) return;
  const conversation = await s.prisma.conversation.findFirst({
    where: { id: job.conversationId, userId: job.userId, source: 'chat' },
    include: { assistant: { select: { id: true, modelId: true } } },
  });
  if (!conversation) return;

  const since = conversation.memoryReviewedAt;
  const turns = (
    await s.prisma.message.findMany({
      where: { conversationId: conversation.id, status: 'complete', role: { in: ['user', 'assistant'] }, ...(since ? { createdAt: { gt: since } } : {}) },
      select: { role: true, content: true, createdAt: true },
      orderBy: { createdAt: 'desc' },
      take: TURNS_READ,
    })
  ).reverse();
  if (!turns.some((t) => t.role === 'user')) return;
  const reviewedUpTo = turns.at(-1)!.createdAt;

  const known = await s.prisma.memory.findMany({ where: { userId: job.userId }, select: { text: true }, orderBy: { createdAt: 'desc' }, take: 50 });
  const messages: ChatMessage[] = [
    { role: 'system', content: PROPOSAL_PROMPT },
    {
      role: 'user',
      content: [
        `Already remembered:\n${known.length ? known.map((m) => `- ${m.text}`).join('\n') : '(nothing)'}`,
        `Conversation:\n${turns.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.content.slice(0, TURN_CHARS)}`).join('\n\n')}`,
      ].join('\n\n'),
    },
  ];

  const resolved = await s.chatModels.forAssistant(conversation.assistant.modelId);
  const provider = createChatProvider({ ...resolved.endpoint, timeoutMs: s.config.chat.timeoutMs });
  const groups = await s.prisma.groupMembership.findMany({ where: { userId: job.userId }, select: { groupId: true } });
  const promptTokens = provider.countTokens(messages);
  let reservation;
  try {
    reservation = await s.quotas.reserve(
      { userId: job.userId, groupIds: groups.map((g) => g.groupId), assistantId: conversation.assistantId },
      { tokens: promptTokens + MAX_PROPOSAL_TOKENS, cost: costOf(resolved.model, promptTokens, MAX_PROPOSAL_TOKENS) },
    );
  } catch (error) {
    // Over quota: no proposals this time; the turns stay unread for a later run.
    if (error instanceof AppError && error.code === 'quota_exceeded') return void log.info('memory proposals skipped: over quota');
    throw error;
  }

  const started = performance.now();
  let reply = '';
  let usage: { promptTokens: number; completionTokens: number } | undefined;
  try {
    for await (const event of provider.streamChat({ model: resolved.model.name, messages, maxTokens: MAX_PROPOSAL_TOKENS, temperature: 0, signal })) {
      if (event.type === 'delta') reply += event.text;
      else if (event.type === 'done') usage = event.usage;
    }
  } catch (error) {
    await chargeModelCall(s, { reservation, model: resolved.model, userId: job.userId, assistantId: conversation.assistantId, conversationId: conversation.id, messageId: null, promptTokens, completionTokens: 0, latencyMs: Math.round(performance.now() - started), outcome: 'error' });
    throw error;
  }
  await chargeModelCall(s, {
    reservation,
    model: resolved.model,
    userId: job.userId,
    assistantId: conversation.assistantId,
    conversationId: conversation.id,
    messageId: null,
    promptTokens: usage?.promptTokens ?? promptTokens,
    completionTokens: usage?.completionTokens ?? provider.countTokens([{ role: 'assistant', content: reply }]),
    latencyMs: Math.round(performance.now() - started),
    outcome: 'success',
  });

  const knownTexts = new Set(known.map((m) => m.text.trim().toLowerCase()));
  const proposals = parseProposals(reply).filter((p) => !knownTexts.has(p.toLowerCase()));
  const embeddings = await Promise.all(proposals.map((p) => embedMemory(s.embedder, p)));
  const stored = await s.prisma.$transaction(async (tx) => {
    const room = Math.max(0, MEMORY_LIMIT - (await tx.memory.count({ where: { userId: job.userId } })));
    const kept = proposals.slice(0, room);
    for (const [i, text] of kept.entries()) {
      await insertMemory(tx, { userId: job.userId, text, status: 'proposed', origin: 'proposed', conversationId: conversation.id }, embeddings[i]!);
    }
    // Raw, so the conversation's updated_at (its place in lists) stays as it was.
    await tx.$executeRaw`UPDATE conversations SET memory_reviewed_at = ${reviewedUpTo} WHERE id = ${conversation.id}::uuid`;
    return kept.length;
  });
  log.info({ proposed: stored }, 'memory proposals made');
  if (stored > 0) {
    const pending = await s.prisma.memory.count({ where: { userId: job.userId, status: 'proposed' } });
    await s.events.publish('memory.proposed', { userId: job.userId, count: pending });
  }
}
