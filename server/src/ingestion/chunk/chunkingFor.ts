import type { Assistant } from '../../db/generated/client.js';
import type { RagDefaultsValue } from '../../settings/settingSchemas.js';
import type { ChunkingOptions } from './chunkSpans.js';

/** An assistant's chunk size and overlap, else the system's RAG defaults. */
export function chunkingFor(assistant: Partial<Pick<Assistant, 'chunkSize' | 'chunkOverlap'>>, defaults: Pick<RagDefaultsValue, 'chunkSize' | 'chunkOverlap'>): ChunkingOptions {
  const chunkSize = assistant.chunkSize ?? defaults.chunkSize;
  return { chunkSize, chunkOverlap: assistant.chunkOverlap ?? defaults.chunkOverlap };
}
