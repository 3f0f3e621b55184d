import type { Services } from '../services.js';
import { memoryState, type MemoryState } from './memoryAccess.js';
import { explicitMemory } from './memoryCue.js';
import { recallMemories, RECALLED_MEMORIES, type RecalledMemory } from './recallMemories.js';
import { saveMemory } from './saveMemory.js';

export interface AnswerMemory {
  /** Memory is on for the user in this conversation: proposals may follow the answer. */
  active: boolean;
  /** The note this message asked to remember, now kept. */
  saved: RecalledMemory | null;
  /** Kept memories for the prompt, best first (the saved one first). */
  recalled: RecalledMemory[];
}

export const NO_MEMORY: AnswerMemory = { active: false, saved: null, recalled: [] };

/**
 * Memory's part in an answer, run beside knowledge retrieval: when memory is
 * on, a new question that starts with the cue ("remember that …") keeps its
 * note, and the user's memories relevant to the question are recalled.
 * Only the chat app's conversations use memory (not the API or MCP, where a
 * script may be speaking for the user).
 */
export async function memoryForAnswer(
  s: Pick<Services, 'db' | 'prisma' | 'audit' | 'embedder' | 'retriever' | 'logger'>,
  input: {
    actor: { id: string; email?: string };
    conversation: { id: string; source: string };
    question: string;
    newQuestion: boolean;
    /** The user's memory state when the question's first read included it. */
    state?: MemoryState;
  },
): Promise<AnswerMemory> {
  if (input.conversation.source !== 'chat') return NO_MEMORY;
  const state = input.state ?? (await memoryState(s.db, input.actor.id));
  if (!state.active) return NO_MEMORY;

  const note = input.newQuestion ? explicitMemory(input.question) : null;
  const saved = note
    ? await saveMemory(s, { actor: { id: input.actor.id, email: input.actor.email ?? null }, meta: {} }, { userId: input.actor.id, text: note, status: 'kept', origin: 'explicit', conversationId: input.conversation.id })
    : null;
  const recalled = await recallMemories({ db: s.db, prisma: s.prisma, embedder: s.embedder, minScore: s.retriever.defaultMinScore, logger: s.logger }, input.actor.id, input.question, RECALLED_MEMORIES, true);
  const savedRecall: RecalledMemory | null = saved && { memoryId: saved.id, text: saved.text, score: 1, fusedScore: Infinity };
  return {
    active: true,
    saved: savedRecall,
    recalled: savedRecall ? [savedRecall, ...recalled.filter((m) => m.memoryId !== saved!.id)].slice(0, RECALLED_MEMORIES) : recalled,
  };
}
