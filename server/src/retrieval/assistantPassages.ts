import type { KnowledgeReader } from '../policies/knowledgeBases.js';
import type { Services } from '../services.js';
import { retrievalParameters } from './retrievalParameters.js';

/**
 * The passages a question retrieves from an assistant's knowledge for one
 * reader (only the attached bases they may read), with the parameters a chat
 * answer uses (the assistant's, else the system's RAG defaults); `topK`
 * overrides the count. Callers have already decided the reader may use the
 * assistant: the REST and MCP search, and the search_knowledge tool.
 */
export async function assistantPassages(
  s: Pick<Services, 'settings' | 'retriever'>,
  assistant: Parameters<typeof retrievalParameters>[0] & { id: string },
  reader: KnowledgeReader,
  query: string,
  topK?: number,
) {
  const parameters = retrievalParameters(assistant, await s.settings.get('rag.defaults'), s.retriever.defaultMinScore);
  return s.retriever.retrieve({ assistantId: assistant.id, reader, query, ...parameters, ...(topK ? { topK } : {}) });
}
