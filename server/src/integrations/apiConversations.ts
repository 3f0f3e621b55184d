import { randomUUID } from 'node:crypto';
import { startAnswer, type ThreadMessage } from '../chat/answer.js';
import type { ChatEvent } from '../chat/chatEvents.js';
import type { Generation } from '../chat/generationHub.js';
import { fileSources } from '../chat/sources.js';
import { assistantFor } from '../commands/assistants/assistantAccess.js';
import type { Assistant, Conversation, Message } from '../db/generated/client.js';
import { AppError } from '../errors/appError.js';
import type { Actor } from '../policies/actor.js';
import { usableAssistants } from '../policies/index.js';
import type { Services } from '../services.js';

// Questions from other tools (the OpenAI-compatible API, MCP) go through the
// chat's own pipeline (chat/answer.ts): the same policy check, retrieval,
// prompt, quota, storage and usage. Each call is a conversation of its own,
// marked with where it came from so the sidebar can leave it out; the turns
// the caller sent before its question are stored first as its history.

export type ApiSource = 'api' | 'mcp';

export interface ApiTurn {
  role: 'user' | 'assistant';
  content: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TITLE_CHARS = 80;

/** An assistant the actor may use, by id; anything else (not an id, not theirs) is "not found". */
export async function usableAssistant(s: Services, actor: Actor, assistantId: string): Promise<Assistant> {
  if (!UUID.test(assistantId)) throw new AppError('not_found', `The model \`${assistantId}\` does not exist or you do not have access to it`);
  try {
    return await assistantFor(s, actor, assistantId, 'assistant.use');
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') {
      throw new AppError('not_found', `The model \`${assistantId}\` does not exist or you do not have access to it`);
    }
    throw error;
  }
}

/**
 * Starts an answer to the last user turn, with the earlier turns as history.
 * A refusal before the answer starts (quota, no model) leaves nothing behind.
 */
export async function askFromApi(
  s: Services,
  actor: Actor,
  input: { assistantId: string; turns: ApiTurn[]; source: ApiSource },
): Promise<{ generation: Generation; conversation: Conversation; assistant: Assistant }> {
  const question = input.turns.at(-1);
  if (!question || question.role !== 'user' || !question.content.trim()) {
    throw new AppError('validation_failed', 'The last message must be a non-empty user message', { issues: [{ path: 'messages', message: 'must end with a user message', code: 'custom' }] });
  }
  const assistant = await usableAssistant(s, actor, input.assistantId);
  const conversation = await s.prisma.conversation.create({
    // A title of its own also means no title is generated (no extra model call).
    data: { userId: actor.id, assistantId: assistant.id, source: input.source, title: titleOf(question.content) },
  });
  try {
    const thread = await storeHistory(s, conversation.id, input.turns.slice(0, -1));
    const generation = await startAnswer(s, {
      conversation,
      assistant,
      actor,
      question: { content: question.content, parentId: thread.at(-1)?.id ?? null },
      thread,
    });
    return { generation, conversation, assistant };
  } catch (error) {
    await s.prisma.conversation.delete({ where: { id: conversation.id } }).catch(() => undefined);
    throw error;
  }
}

/** The earlier turns as a chain of stored messages, oldest first, a millisecond apart (the tree orders by time). */
async function storeHistory(s: Services, conversationId: string, turns: ApiTurn[]): Promise<ThreadMessage[]> {
  const start = Date.now() - turns.length - 1;
  let parentId: string | null = null;
  const rows = turns.map((turn, i) => {
    const row = { id: randomUUID(), conversationId, parentId, role: turn.role, content: turn.content, status: 'complete' as const, createdAt: new Date(start + i) };
    parentId = row.id;
    return row;
  });
  if (rows.length) await s.prisma.message.createMany({ data: rows.map((r) => ({ ...r, updatedAt: r.createdAt })) });
  return rows;
}

function titleOf(question: string): string {
  const line = question.trim().replace(/\s+/g, ' ');
  return line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
}

/** Waits for the answer's end: the stored answer, or the failure as an error. */
export async function finalAnswer(generation: Generation): Promise<Message> {
  let final: ChatEvent | undefined;
  generation.subscribe((event) => {
    if (event.type === 'done' || event.type === 'error') final = event;
  });
  await generation.finished();
  const ended = final as ChatEvent | undefined;
  if (ended?.type === 'error') throw new AppError('upstream_failed', ended.error.message, ended.error.details);
  if (ended?.type !== 'done') throw new AppError('internal', 'The answer ended without a result');
  return ended.message;
}

/** Passages as the integrations show them: file, page and passage. */
export function presentSources(message: Pick<Message, 'sources'>) {
  return fileSources(message.sources).map((source) => ({
    index: source.index,
    fileId: source.fileId,
    file: source.fileName,
    page: source.page,
    section: source.section,
    passage: source.text,
    score: source.score,
  }));
}

/** The assistants the actor may use, by name: OpenAI's model list, MCP's list_assistants. */
export function listUsableAssistants(s: Services, actor: Actor): Promise<Assistant[]> {
  return s.prisma.assistant.findMany({ where: usableAssistants(actor), orderBy: [{ name: 'asc' }, { id: 'asc' }] });
}
