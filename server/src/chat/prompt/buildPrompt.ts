import type { RecalledMemory } from '../../memory/recallMemories.js';
import type { Passage } from '../../retrieval/retrievePassages.js';
import type { ChatMessage, ImagePart } from '../llm/chatProvider.js';

// The prompt, in the order SPEC "Chat" gives: the assistant's instructions,
// the retrieved passages numbered with their sources, the user's own notes
// (memory) when any were recalled, then as much of the conversation as the
// model's context window holds after room is kept for the answer. Passages
// are dropped (lowest ranked first) before the user's notes, those before the
// current question would be, and old turns before recent ones.

export interface PromptInput {
  instructions: string;
  knowledgeOnly: boolean;
  /** Best first. */
  passages: Passage[];
  /** The user's own memories recalled for the question, best first. */
  memories?: RecalledMemory[];
  /** The note this very message asked to remember, just saved (the answer acknowledges it). */
  savedMemory?: string | null;
  /** Earlier turns on the conversation's active branch, oldest first. */
  history: ChatMessage[];
  question: string;
  /** Attached images for a model with vision: sent with the question as image parts. */
  images?: ImagePart[];
  contextWindow: number;
  /** Tokens kept free for the answer. */
  answerTokens: number;
  /** The provider's estimate; `countedText` is text already counted and left out of `messages`. */
  countTokens: (messages: ChatMessage[], countedText?: number) => number;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** The passages the prompt holds, numbered 1.. as cited. */
  passages: Passage[];
  /** The memories the prompt holds: the answer's memory sources. */
  memories: RecalledMemory[];
  promptTokens: number;
  /** Earlier turns left out for lack of room. */
  droppedTurns: number;
}

const CITE_RULE =
  'When you use a passage, cite it by its number in square brackets, like [1]. Do not invent sources.';
const KNOWLEDGE_ONLY_RULE =
  'Answer only from the passages below. If they do not contain the answer, say that the knowledge files do not cover it; do not use outside knowledge or guess.';

export function buildPrompt(input: PromptInput): BuiltPrompt {
  const question: ChatMessage = input.images?.length ? { role: 'user', content: input.question, images: input.images } : { role: 'user', content: input.question };
  const budget = Math.max(0, input.contextWindow - input.answerTokens);
  // Each message is tokenised once: the tokenizer is the costliest step here.
  // The system message's passages are not tokenised at all when their chunks'
  // stored counts are known: it is counted with their texts left out and their
  // counts added (a token or two per passage off where a text meets its
  // neighbour, which is well inside what the estimate is for).
  const counted = new Map<ChatMessage, number>();
  const costOf = (m: ChatMessage) => counted.get(m) ?? counted.set(m, m === system ? systemCost() : input.countTokens([m])).get(m)!;
  const cost = (messages: ChatMessage[]) => messages.reduce((sum, m) => sum + costOf(m), 0);

  let passages = input.passages;
  let memories = input.memories ?? [];
  const systemFor = (textOf = passageText) => systemMessage(input.instructions, passages, input.knowledgeOnly, memories, input.savedMemory ?? null, textOf);
  const systemCost = () => input.countTokens([systemFor((p) => (p.tokens === undefined ? passageText(p) : ''))], sum(passages.map((p) => p.tokens ?? 0)));
  let system = systemFor();
  while ((passages.length > 0 || memories.length > 0) && cost([system, question]) > budget) {
    if (passages.length > 0) passages = passages.slice(0, -1);
    else memories = memories.slice(0, -1);
    system = systemFor();
  }

  // Newest turns first until the window is full; a turn is kept whole or not at all.
  const kept: ChatMessage[] = [];
  let used = cost([system, question]);
  for (let i = input.history.length - 1; i >= 0; i--) {
    const turn = input.history[i]!;
    const turnCost = cost([turn]);
    if (used + turnCost > budget) break;
    kept.unshift(turn);
    used += turnCost;
  }
  // A window must not open on an answer whose question was cut off.
  while (kept[0]?.role === 'assistant') kept.shift();

  const messages = [system, ...kept, question];
  return { messages, passages, memories, promptTokens: cost(messages), droppedTurns: input.history.length - kept.length };
}

const MEMORY_INTRO =
  'Notes the user asked you to remember (their own notes about themselves and their work, not company knowledge; use them where they help, do not cite them by number):';
const SAVED_MEMORY_RULE = 'The user’s message asked you to remember something; it is now saved in their memory. Confirm that in one short sentence, then answer anything else the message asks.';

const passageText = (p: Passage) => p.text.trim();
const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);

function systemMessage(instructions: string, passages: Passage[], knowledgeOnly: boolean, memories: RecalledMemory[], savedMemory: string | null, textOf: (p: Passage) => string): ChatMessage {
  const parts = [instructions.trim() || 'You are a helpful assistant for the staff of this company.'];
  if (passages.length > 0) {
    parts.push(`${knowledgeOnly ? KNOWLEDGE_ONLY_RULE : 'Use the passages below from the company’s knowledge files where they help.'} ${CITE_RULE}`);
    parts.push(passages.map((p, i) => `[${i + 1}] ${sourceLabel(p)}\n${textOf(p)}`).join('\n\n'));
  } else if (knowledgeOnly) {
    parts.push(KNOWLEDGE_ONLY_RULE);
  }
  if (memories.length > 0) parts.push(`${MEMORY_INTRO}\n${memories.map((m) => `- ${m.text.trim()}`).join('\n')}`);
  if (savedMemory) parts.push(SAVED_MEMORY_RULE);
  return { role: 'system', content: parts.join('\n\n') };
}

/** "handbook.pdf, page 3, § Leave" — what a citation points at. */
export function sourceLabel(p: Pick<Passage, 'fileName' | 'page' | 'section'>): string {
  return [p.fileName, p.page != null ? `page ${p.page}` : null, p.section ? `§ ${p.section}` : null].filter(Boolean).join(', ');
}
