import type { PrismaClient } from '../db/database.js';
import type { Assistant } from '../db/generated/client.js';
import type { Passage } from '../retrieval/retrievePassages.js';

// Search mode: until a chat model is connected, an assistant still does its
// main job by answering with the passages of its knowledge that best match the
// question, cited like a model's answer and marked as not written by one.
//
// The rule, in one place (the chat pipeline and the assistant lists use it):
// an assistant answers in search mode when no chat model can answer for it,
// i.e. its model is not usable (it names none and no enabled chat model of an
// enabled provider exists, or the one it names is disabled, deleted or of a
// disabled provider) AND it has no usable fallback model. A usable model whose
// provider cannot be called (no enabled key) is a fault to fix, not search mode.

/** The finish reason stored on a search-mode answer (mirrors `no_knowledge`). */
export const SEARCH_MODE = 'search';

/** How many passages a search-mode answer quotes: enough to find the answer, few enough to read. */
export const SEARCH_MODE_PASSAGES = 5;

type Answering = Pick<Assistant, 'id' | 'modelId' | 'fallbackModelId'>;

/** The chat models that can answer: enabled, of an enabled provider. */
export async function usableChatModelIds(prisma: Pick<PrismaClient, 'model'>): Promise<Set<string>> {
  const models = await prisma.model.findMany({ where: { kind: 'chat', enabled: true, provider: { enabled: true } }, select: { id: true } });
  return new Set(models.map((m) => m.id));
}

/** The ids, among those given, of the assistants that answer in search mode when `usable` are the usable chat models. */
export function searchingAmong(usable: ReadonlySet<string>, assistants: readonly Answering[]): Set<string> {
  const answerable = (a: Answering) => (a.modelId === null ? usable.size > 0 : usable.has(a.modelId) || (a.fallbackModelId !== null && usable.has(a.fallbackModelId)));
  return new Set(assistants.filter((a) => !answerable(a)).map((a) => a.id));
}

/** The ids, among those given, of the assistants that answer in search mode (the models read now). */
export async function assistantsInSearchMode(prisma: Pick<PrismaClient, 'model'>, assistants: readonly Answering[]): Promise<Set<string>> {
  if (assistants.length === 0) return new Set();
  return searchingAmong(await usableChatModelIds(prisma), assistants);
}

export async function answersInSearchMode(prisma: Pick<PrismaClient, 'model'>, assistant: Answering): Promise<boolean> {
  return (await assistantsInSearchMode(prisma, [assistant])).has(assistant.id);
}

/**
 * The answer's text in parts (streamed one after another): a line saying what
 * it is, then each passage under its [n] citation with file and page, in the
 * order of the answer's sources so the sources panel opens the right one.
 */
export function searchModeAnswer(passages: readonly Pick<Passage, 'fileName' | 'page' | 'section' | 'text'>[]): string[] {
  const intro = 'No model is connected yet, so here are the passages from this assistant’s knowledge that best match your question.\n\n';
  const parts = [
    intro,
    ...passages.map((p, i) => {
      const where = [p.fileName, p.page !== null ? `page ${p.page}` : null, p.section].filter(Boolean).join(', ');
      // A passage's own reference marks ("[4]" in an encyclopedia) are escaped: they are not this answer's citations.
      const quoted = p.text
        .trim()
        .split('\n')
        .map((line) => `> ${line.replace(/\[(\d{1,3})\]/g, '\\[$1]')}`)
        .join('\n');
      return `**[${i + 1}]** ${where}\n\n${quoted}\n\n`;
    }),
  ];
  parts[parts.length - 1] = parts.at(-1)!.trimEnd();
  return parts;
}
