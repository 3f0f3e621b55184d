import type { Actor } from '../../policies/actor.js';
import type { Services } from '../../services.js';
import { assistantFor } from '../assistants/assistantAccess.js';

/**
 * The passages a question would retrieve from an assistant the actor may use
 * (one they may not is "not found"), best first, with the assistant's own
 * threshold. Behind the REST search route and MCP's search_knowledge.
 */
export async function searchKnowledge(s: Services, actor: Actor, input: { assistantId: string; query: string; topK?: number }) {
  const assistant = await assistantFor(s, actor, input.assistantId, 'assistant.use');
  const passages = await s.retriever.retrieve({
    assistantId: assistant.id,
    query: input.query,
    topK: input.topK ?? assistant.topK ?? 5,
    minScore: assistant.similarityThreshold ?? s.retriever.defaultMinScore,
  });
  return passages.map((p) => ({ fileId: p.fileId, fileName: p.fileName, page: p.page, section: p.section, text: p.text, score: Number(p.score.toFixed(4)) }));
}
