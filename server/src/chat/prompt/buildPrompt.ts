import type { Passage } from '../../retrieval/retrievePassages.js';
import type { ChatMessage } from '../llm/chatProvider.js';

// The prompt, in the order SPEC "Chat" gives: the assistant's instructions,
// the retrieved passages numbered with their sources, then as much of the
// conversation as the model's context window holds after room is kept for
// the answer. Passages are dropped (lowest ranked first) before the current
// question would be, and old turns before recent ones.

export interface PromptInput {
  instructions: string;
  knowledgeOnly: boolean;
  /** Best first. */
  passages: Passage[];
  /** Earlier turns on the conversation's active branch, oldest first. */
  history: ChatMessage[];
  question: string;
  contextWindow: number;
  /** Tokens kept free for the answer. */
  answerTokens: number;
  countTokens: (messages: ChatMessage[]) => number;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** The passages the prompt holds, numbered 1.. as cited. */
  passages: Passage[];
  promptTokens: number;
  /** Earlier turns left out for lack of room. */
  droppedTurns: number;
}

const CITE_RULE =
  'When you use a passage, cite it by its number in square brackets, like [1]. Do not invent sources.';
const KNOWLEDGE_ONLY_RULE =
  'Answer only from the passages below. If they do not contain the answer, say that the knowledge files do not cover it; do not use outside knowledge or guess.';

export function buildPrompt(input: PromptInput): BuiltPrompt {
  const question: ChatMessage = { role: 'user', content: input.question };
  const budget = Math.max(0, input.contextWindow - input.answerTokens);
  // Each message is tokenised once: the tokenizer is the costliest step here.
  const counted = new Map<ChatMessage, number>();
  const costOf = (m: ChatMessage) => counted.get(m) ?? counted.set(m, input.countTokens([m])).get(m)!;
  const cost = (messages: ChatMessage[]) => messages.reduce((sum, m) => sum + costOf(m), 0);

  let passages = input.passages;
  let system = systemMessage(input.instructions, passages, input.knowledgeOnly);
  while (passages.length > 0 && cost([system, question]) > budget) {
    passages = passages.slice(0, -1);
    system = systemMessage(input.instructions, passages, input.knowledgeOnly);
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
  return { messages, passages, promptTokens: cost(messages), droppedTurns: input.history.length - kept.length };
}

function systemMessage(instructions: string, passages: Passage[], knowledgeOnly: boolean): ChatMessage {
  const parts = [instructions.trim() || 'You are a helpful assistant for the staff of this company.'];
  if (passages.length > 0) {
    parts.push(`${knowledgeOnly ? KNOWLEDGE_ONLY_RULE : 'Use the passages below from the company’s knowledge files where they help.'} ${CITE_RULE}`);
    parts.push(passages.map((p, i) => `[${i + 1}] ${sourceLabel(p)}\n${p.text.trim()}`).join('\n\n'));
  } else if (knowledgeOnly) {
    parts.push(KNOWLEDGE_ONLY_RULE);
  }
  return { role: 'system', content: parts.join('\n\n') };
}

/** "handbook.pdf, page 3, § Leave" — what a citation points at. */
export function sourceLabel(p: Pick<Passage, 'fileName' | 'page' | 'section'>): string {
  return [p.fileName, p.page != null ? `page ${p.page}` : null, p.section ? `§ ${p.section}` : null].filter(Boolean).join(', ');
}
