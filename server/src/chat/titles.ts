import type { Conversation, Model } from '../db/generated/client.js';
import { costOf } from '../governance/quotas/index.js';
import type { Services } from '../services.js';
import type { ChatProvider } from './llm/chatProvider.js';
import { chargeModelCall } from './modelCallCharge.js';

const TITLE_PROMPT =
  'Write a title of at most six words for the conversation below. Reply with the title only: no quotes, no punctuation at the end.';
const MAX_TITLE_TOKENS = 24;
const MAX_TITLE_CHARS = 80;

/**
 * Names a conversation after its first exchange. The call is a model call
 * like any other (quota, usage); when it cannot be made or fails, the
 * question's first words serve. A title the user set meanwhile is kept.
 */
export async function generateTitle(
  s: Services,
  input: { conversation: Conversation; actor: { id: string; groups: ReadonlyMap<string, unknown> }; question: string; answer: string; model: Model; provider: ChatProvider },
): Promise<void> {
  const messages = [
    { role: 'system' as const, content: TITLE_PROMPT },
    { role: 'user' as const, content: `Question: ${input.question.slice(0, 2000)}\n\nAnswer: ${input.answer.slice(0, 2000)}` },
  ];
  const promptTokens = input.provider.countTokens(messages);
  let title = '';
  try {
    const reservation = await s.quotas.reserve(
      { userId: input.actor.id, groupIds: [...input.actor.groups.keys()], assistantId: input.conversation.assistantId },
      { tokens: promptTokens + MAX_TITLE_TOKENS, cost: costOf(input.model, promptTokens, MAX_TITLE_TOKENS) },
    );
    const started = performance.now();
    let usage = { promptTokens, completionTokens: 0 };
    try {
      for await (const event of input.provider.streamChat({ model: input.model.name, messages, maxTokens: MAX_TITLE_TOKENS, temperature: 0.2, signal: AbortSignal.timeout(30_000) })) {
        if (event.type === 'delta') title += event.text;
        else if (event.type === 'done') usage = event.usage ?? { promptTokens, completionTokens: input.provider.countTokens([{ role: 'assistant', content: title }]) };
      }
    } catch (error) {
      await reservation.release();
      throw error;
    }
    await chargeModelCall(s, {
      reservation,
      model: input.model,
      userId: input.actor.id,
      assistantId: input.conversation.assistantId,
      conversationId: input.conversation.id,
      messageId: null,
      ...usage,
      latencyMs: Math.round(performance.now() - started),
      outcome: 'success',
    });
  } catch (error) {
    s.logger.info({ err: error, conversationId: input.conversation.id }, 'no model title; using the question');
  }
  const chosen = cleanTitle(title) || fallbackTitle(input.question);
  const { count } = await s.prisma.conversation.updateMany({
    where: { id: input.conversation.id, title: input.conversation.title },
    data: { title: chosen },
  });
  if (count) {
    const conversation = await s.prisma.conversation.findUnique({ where: { id: input.conversation.id } });
    if (conversation) s.generations.emit(conversation.userId, { type: 'conversation', conversation });
  }
}

export function cleanTitle(raw: string): string {
  const line = raw.replace(/^\s*(title\s*:)?\s*/i, '').split('\n')[0] ?? '';
  return line.replace(/^["'“”‘’*#\s]+|["'“”‘’*.\s]+$/g, '').slice(0, MAX_TITLE_CHARS).trim();
}

/** The question's first words, cut at a word boundary. */
export function fallbackTitle(question: string): string {
  const words = question.replace(/\s+/g, ' ').trim().split(' ');
  let title = '';
  for (const word of words) {
    if ((title + ' ' + word).trim().length > 60) break;
    title = (title + ' ' + word).trim();
  }
  return title || question.slice(0, 60) || 'Conversation';
}
