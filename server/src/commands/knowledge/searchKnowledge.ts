import type { Actor } from '../../policies/actor.js';
import { assistantPassages } from '../../retrieval/assistantPassages.js';
import type { Services } from '../../services.js';
import { assistantFor } from '../assistants/assistantAccess.js';

/**
 * The passages a question would retrieve from an assistant the actor may use
 * (from the attached knowledge bases the actor may read)
 * (one they may not is "not found"), best first, with the same parameters a
 * chat answer uses (the assistant's, else the system's RAG defaults); `topK`
 * overrides the count. Behind the REST search route and MCP's search_knowledge.
 */
export async function searchKnowledge(
  s: Pick<Services, 'prisma' | 'settings' | 'retriever'>,
  actor: Actor,
  input: { assistantId: string; query: string; topK?: number },
) {
  const assistant = await assistantFor(s, actor, input.assistantId, 'assistant.use');
  const passages = await assistantPassages(s, assistant, actor, input.query, input.topK);
  return passages.map((p) => ({ fileId: p.fileId, fileName: p.fileName, page: p.page, section: p.section, text: p.text, score: Number(p.score.toFixed(4)) }));
}
